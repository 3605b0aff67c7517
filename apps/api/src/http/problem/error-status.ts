import { HttpStatus } from '@nestjs/common';
import type { PanoramasErrorCode } from '#panoramas';
import type { TilesErrorCode } from '#tiles';
import type { UsersErrorCode } from '#users';

type SharedKernelErrorCode = 'INVALID_CURSOR' | 'OBJECT_NOT_FOUND' | 'INVALID_STORAGE_KEY' | 'RANGE_NOT_SATISFIABLE' | 'STORAGE_UNAVAILABLE';

/**
 * Domain error code -> HTTP status. Typed over every module's code list, so adding a code
 * without a status here does not compile.
 */
export const DOMAIN_ERROR_STATUS: Record<UsersErrorCode | PanoramasErrorCode | TilesErrorCode | SharedKernelErrorCode, HttpStatus> = {
  INVALID_CURSOR: HttpStatus.BAD_REQUEST,
  OBJECT_NOT_FOUND: HttpStatus.NOT_FOUND,
  INVALID_STORAGE_KEY: HttpStatus.INTERNAL_SERVER_ERROR,
  RANGE_NOT_SATISFIABLE: HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
  STORAGE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  PANORAMA_NOT_FOUND: HttpStatus.NOT_FOUND,
  UNSUPPORTED_MEDIA_TYPE: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  UPLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  QUOTA_EXCEEDED: HttpStatus.UNPROCESSABLE_ENTITY,
  IMAGE_TOO_LARGE: HttpStatus.UNPROCESSABLE_ENTITY,
  INVALID_IMAGE: HttpStatus.UNPROCESSABLE_ENTITY,
  EMPTY_UPLOAD: HttpStatus.BAD_REQUEST,
  MISSING_FILE: HttpStatus.BAD_REQUEST,
  UPLOAD_ABORTED: HttpStatus.BAD_REQUEST,
  TILE_SET_NOT_FOUND: HttpStatus.NOT_FOUND,
  INVALID_TILE_OPTIONS: HttpStatus.BAD_REQUEST,
  USER_HAS_PANORAMAS: HttpStatus.CONFLICT,
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
