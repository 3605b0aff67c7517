import { Param, ParseUUIDPipe } from '@nestjs/common';
import { RequestValidationError } from '../http/problem/request-validation.error.js';

/** A path parameter that must be a UUID; anything else is a 400 naming the parameter. */
export const UuidParam = (name: string) =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () => new RequestValidationError([{ field: name, message: `${name} must be a UUID` }]),
    }),
  );
