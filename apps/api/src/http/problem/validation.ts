import { type ArgumentMetadata, type Type, ValidationPipe } from '@nestjs/common';
import { type InvalidField, RequestValidationError } from './request-validation.error.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Deeper than any body this API takes; far below what would overflow a recursive walk. */
export const MAX_INPUT_DEPTH = 32;
/** C0 controls but tab, line feed and carriage return, and DEL. Line breaks are refused where
 * they make no sense by @SingleLine(). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * One iterative walk over client input (a JSON body, a query, multipart fields), before
 * anything recursive (class-transformer, class-validator) sees it:
 * - nesting deeper than MAX_INPUT_DEPTH is refused as a whole;
 * - keys that would reach a prototype when copied (`__proto__`, JSON.parse keeps them as own
 *   keys) are refused;
 * - strings with control characters (a NUL would reach PostgreSQL, which refuses it) are refused.
 */
export function inspectInput(input: unknown): RequestValidationError | undefined {
  const invalid: InvalidField[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: input, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (CONTROL_CHARACTERS.test(value)) {
        invalid.push({ field: path, message: `${path || 'value'} must not contain control characters` });
      }
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) {
      return new RequestValidationError(
        [{ field: path || '(body)', message: `nested more than ${MAX_INPUT_DEPTH} levels deep` }],
        `The request nests values more than ${MAX_INPUT_DEPTH} levels deep.`,
      );
    }
    for (const [key, child] of Object.entries(value)) {
      const field = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) invalid.push({ field, message: `property ${field} should not exist` });
      else stack.push({ value: child, path: field, depth: depth + 1 });
    }
  }
  return invalid.length > 0 ? new RequestValidationError(invalid.reverse()) : undefined;
}

/**
 * The one validation policy: unknown fields are errors (not silently dropped), values are
 * transformed to their declared types, and failures list every invalid field. The input is
 * inspected first (inspectInput).
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
    const refused = inspectInput(value);
    if (refused) throw refused;
    return super.transform(value, metadata);
  }
}

export const createValidationPipe = (): ValidationPipe => new StrictValidationPipe();

const pipe = createValidationPipe();

/** Validates a plain object outside Nest's parameter pipeline (e.g. multipart text fields). */
export function validateDto<T extends object>(type: Type<T>, plain: Record<string, unknown>): Promise<T> {
  return pipe.transform(plain, { type: 'body', metatype: type }) as Promise<T>;
}
