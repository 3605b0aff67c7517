import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { RequestValidationError } from '../http/problem/request-validation.error.js';

/**
 * A path parameter that must be a UUID; anything else is a 400 naming the parameter. Also
 * documents it as `format: uuid` in the OpenAPI document.
 */
export const UuidParam =
  (name: string): ParameterDecorator =>
  (target, key, index) => {
    Param(
      name,
      new ParseUUIDPipe({
        exceptionFactory: () => new RequestValidationError([{ field: name, message: `${name} must be a UUID` }]),
      }),
    )(target, key, index);
    if (key !== undefined) {
      const descriptor = Object.getOwnPropertyDescriptor(target, key)!;
      ApiParam({ name, type: 'string', format: 'uuid' })(target, key, descriptor);
    }
  };
