import { type ArgumentMetadata, type Type, ValidationPipe } from '@nestjs/common';
import { RequestValidationError } from './request-validation.error.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Paths of keys that would reach an object's prototype when copied (JSON.parse keeps them as own keys). */
function prototypeKeys(value: unknown, path = ''): string[] {
  if (!value || typeof value !== 'object') return [];
  return Object.keys(value).flatMap((key) => {
    const field = path ? `${path}.${key}` : key;
    return FORBIDDEN_KEYS.has(key) ? [field] : prototypeKeys((value as Record<string, unknown>)[key], field);
  });
}

/**
 * The one validation policy: unknown fields are errors (not silently dropped), values are
 * transformed to their declared types, and failures list every invalid field. Keys like
 * `__proto__` are refused before class-transformer could turn them into a prototype (where
 * the whitelist would not see them).
 */
class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      exceptionFactory: (errors) => RequestValidationError.fromValidationErrors(errors),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const refused = prototypeKeys(value);
    if (refused.length > 0) throw new RequestValidationError(refused.map((field) => ({ field, message: `property ${field} should not exist` })));
    return super.transform(value, metadata);
  }
}

export const createValidationPipe = (): ValidationPipe => new StrictValidationPipe();

const pipe = createValidationPipe();

/** Validates a plain object outside Nest's parameter pipeline (e.g. multipart text fields). */
export function validateDto<T extends object>(type: Type<T>, plain: Record<string, unknown>): Promise<T> {
  return pipe.transform(plain, { type: 'body', metatype: type }) as Promise<T>;
}
