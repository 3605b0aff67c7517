import { type Type, ValidationPipe } from '@nestjs/common';
import { RequestValidationError } from './request-validation.error.js';

/**
 * The one validation policy: unknown fields are errors (not silently dropped), values are
 * transformed to their declared types, and failures list every invalid field.
 */
export const createValidationPipe = () =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    exceptionFactory: (errors) => RequestValidationError.fromValidationErrors(errors),
  });

const pipe = createValidationPipe();

/** Validates a plain object outside Nest's parameter pipeline (e.g. multipart text fields). */
export function validateDto<T extends object>(type: Type<T>, plain: Record<string, unknown>): Promise<T> {
  return pipe.transform(plain, { type: 'body', metatype: type }) as Promise<T>;
}
