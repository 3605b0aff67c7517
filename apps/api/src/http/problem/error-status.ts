import { HttpStatus } from '@nestjs/common';
import type { UsersErrorCode } from '#users';

/**
 * Domain error code -> HTTP status. Typed over every module's code list, so adding a code
 * without a status here does not compile.
 */
export const DOMAIN_ERROR_STATUS: Record<UsersErrorCode | 'INVALID_CURSOR', HttpStatus> = {
  INVALID_CURSOR: HttpStatus.BAD_REQUEST,
  USER_NOT_FOUND: HttpStatus.NOT_FOUND,
  EMAIL_ALREADY_REGISTERED: HttpStatus.CONFLICT,
  INVALID_CREDENTIALS: HttpStatus.UNAUTHORIZED,
  INVALID_REFRESH_TOKEN: HttpStatus.UNAUTHORIZED,
  INVALID_ACCESS_TOKEN: HttpStatus.UNAUTHORIZED,
  AUTHENTICATION_REQUIRED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  LAST_ADMIN: HttpStatus.CONFLICT,
};

/** Codes for errors raised by the framework and the HTTP edge rather than a use case. */
export const HTTP_STATUS_CODE: Partial<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'AUTHENTICATION_REQUIRED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  411: 'LENGTH_REQUIRED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_CONTENT',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};
