import type { ValidationError } from '@nestjs/common';

export interface InvalidField {
  field: string;
  message: string;
}

/** Thrown by the global ValidationPipe; becomes a 400 problem listing the invalid fields. */
export class RequestValidationError extends Error {
  constructor(
    readonly errors: InvalidField[],
    readonly detail = 'The request is invalid; see errors for each invalid field.',
  ) {
    super(detail);
  }

  static fromValidationErrors(errors: ValidationError[]): RequestValidationError {
    return new RequestValidationError(flatten(errors, ''));
  }
}

function flatten(errors: ValidationError[], prefix: string): InvalidField[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
