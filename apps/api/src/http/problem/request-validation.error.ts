import type { ValidationError } from '@nestjs/common';

export interface InvalidField {
  field: string;
  message: string;
}

/** Thrown by the global ValidationPipe; becomes a 400 problem listing the invalid fields. */
export class RequestValidationError extends Error {
  constructor(readonly errors: InvalidField[]) {
    super('The request is invalid.');
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
