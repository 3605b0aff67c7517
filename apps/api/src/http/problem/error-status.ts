import { HttpStatus } from '@nestjs/common';
import type { SharedKernelErrorCode } from '#shared-kernel';
import type { PanoramasErrorCode } from '#panoramas';
import type { RenditionsErrorCode } from '#renditions';
import type { SharingErrorCode } from '#sharing';
import type { TilesErrorCode } from '#tiles';
import type { UsersErrorCode } from '#users';
import type { WebhooksErrorCode } from '#webhooks';
import type { CollectionsErrorCode } from '#collections';

/**
 * Domain error code -> HTTP status. Typed over every module's code list, so adding a code
 * without a status here does not compile.
 */
export const DOMAIN_ERROR_STATUS: Record<
  | UsersErrorCode
  | PanoramasErrorCode
  | TilesErrorCode
  | RenditionsErrorCode
  | SharingErrorCode
  | WebhooksErrorCode
  | CollectionsErrorCode
  | SharedKernelErrorCode,
  HttpStatus
> = {
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
  // The credentials no longer designate a user (deleted while the request was under way).
  OWNER_NOT_FOUND: HttpStatus.UNAUTHORIZED,
  TILE_SET_NOT_FOUND: HttpStatus.NOT_FOUND,
  INVALID_TILE_OPTIONS: HttpStatus.BAD_REQUEST,
  TILE_SET_NOT_READY: HttpStatus.CONFLICT,
  TILE_NOT_FOUND: HttpStatus.NOT_FOUND,
  CORRUPT_IMAGE: HttpStatus.UNPROCESSABLE_ENTITY,
  TILING_INCOMPLETE: HttpStatus.INTERNAL_SERVER_ERROR,
  INVALID_IIIF_REQUEST: HttpStatus.BAD_REQUEST,
  IIIF_RENDER_TIMEOUT: HttpStatus.SERVICE_UNAVAILABLE,
  // Every place to run or wait for a bounded piece of work (IIIF renders, compressions) is taken.
  SERVER_BUSY: HttpStatus.SERVICE_UNAVAILABLE,
  NOT_A_SPHERE: HttpStatus.CONFLICT,
  SHARE_LINK_REVOKED: HttpStatus.FORBIDDEN,
  SHARE_LINK_NOT_FOUND: HttpStatus.NOT_FOUND,
  // The request is well-formed; the resource's state refuses it (like RENDITION_LIMIT_REACHED).
  SHARE_LINK_LIMIT_REACHED: HttpStatus.UNPROCESSABLE_ENTITY,
  RENDITION_NOT_FOUND: HttpStatus.NOT_FOUND,
  INVALID_RENDITION_SPEC: HttpStatus.BAD_REQUEST,
  // The request is well-formed; the panorama's state refuses it (like QUOTA_EXCEEDED).
  RENDITION_LIMIT_REACHED: HttpStatus.UNPROCESSABLE_ENTITY,
  RENDITION_NOT_READY: HttpStatus.CONFLICT,
  UNKNOWN_PRESET: HttpStatus.BAD_REQUEST,
  RENDER_FAILED: HttpStatus.UNPROCESSABLE_ENTITY,
  RENDER_TIMEOUT: HttpStatus.UNPROCESSABLE_ENTITY,
  USER_HAS_PANORAMAS: HttpStatus.CONFLICT,
  USER_NOT_FOUND: HttpStatus.NOT_FOUND,
  EMAIL_ALREADY_REGISTERED: HttpStatus.CONFLICT,
  INVALID_CREDENTIALS: HttpStatus.UNAUTHORIZED,
  INVALID_REFRESH_TOKEN: HttpStatus.UNAUTHORIZED,
  INVALID_ACCESS_TOKEN: HttpStatus.UNAUTHORIZED,
  AUTHENTICATION_REQUIRED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  LAST_ADMIN: HttpStatus.CONFLICT,
  INVALID_API_KEY: HttpStatus.UNAUTHORIZED,
  INSUFFICIENT_SCOPE: HttpStatus.FORBIDDEN,
  API_KEY_NOT_FOUND: HttpStatus.NOT_FOUND,
  // The request is well-formed; the user's keys refuse one more (like SHARE_LINK_LIMIT_REACHED).
  API_KEY_LIMIT_REACHED: HttpStatus.UNPROCESSABLE_ENTITY,
  WEBHOOK_NOT_FOUND: HttpStatus.NOT_FOUND,
  WEBHOOK_DELIVERY_NOT_FOUND: HttpStatus.NOT_FOUND,
  WEBHOOK_LIMIT_REACHED: HttpStatus.UNPROCESSABLE_ENTITY,
  // The URL is well-formed; where it points is refused (SSRF guard).
  WEBHOOK_URL_FORBIDDEN: HttpStatus.UNPROCESSABLE_ENTITY,
  COLLECTION_NOT_FOUND: HttpStatus.NOT_FOUND,
  COLLECTION_LIMIT_REACHED: HttpStatus.UNPROCESSABLE_ENTITY,
  COLLECTION_FULL: HttpStatus.UNPROCESSABLE_ENTITY,
};

/** Codes the HTTP edge itself answers with (validation, parsers, routing, limits, outages). */
export const EDGE_ERROR_STATUS = {
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  MALFORMED_BODY: HttpStatus.BAD_REQUEST,
  MALFORMED_MULTIPART: HttpStatus.BAD_REQUEST,
  DUPLICATE_FIELD: HttpStatus.BAD_REQUEST,
  FIELD_TOO_LARGE: HttpStatus.BAD_REQUEST,
  TOO_MANY_PARTS: HttpStatus.BAD_REQUEST,
  UNEXPECTED_FILE: HttpStatus.BAD_REQUEST,
  TOO_MANY_FILES: HttpStatus.BAD_REQUEST,
  FIELD_AFTER_FILES: HttpStatus.BAD_REQUEST,
  REQUEST_ABORTED: HttpStatus.BAD_REQUEST,
  BAD_REQUEST: HttpStatus.BAD_REQUEST,
  // A share link that is not one of ours (tampered, truncated, unknown key) or has expired.
  SHARE_LINK_INVALID: HttpStatus.FORBIDDEN,
  SHARE_LINK_EXPIRED: HttpStatus.FORBIDDEN,
  // Resumable uploads (tus): an id that is not one of yours, or has expired or finished.
  UPLOAD_NOT_FOUND: HttpStatus.NOT_FOUND,
  // The owner already has UPLOAD_RESUMABLE_MAX_PER_USER unfinished resumable uploads.
  TOO_MANY_UNFINISHED_UPLOADS: HttpStatus.UNPROCESSABLE_ENTITY,
  // A direct upload's parts do not make the file declared (missing, unknown, wrong size).
  UPLOAD_INCOMPLETE: HttpStatus.BAD_REQUEST,
  PRECONDITION_FAILED: HttpStatus.PRECONDITION_FAILED,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  METHOD_NOT_ALLOWED: HttpStatus.METHOD_NOT_ALLOWED,
  NOT_ACCEPTABLE: HttpStatus.NOT_ACCEPTABLE,
  REQUEST_TIMEOUT: HttpStatus.REQUEST_TIMEOUT,
  REQUEST_HEADER_FIELDS_TOO_LARGE: 431, // not in Nest's HttpStatus
  CONFLICT: HttpStatus.CONFLICT,
  LENGTH_REQUIRED: HttpStatus.LENGTH_REQUIRED,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  UNPROCESSABLE_CONTENT: HttpStatus.UNPROCESSABLE_ENTITY,
  TOO_MANY_REQUESTS: HttpStatus.TOO_MANY_REQUESTS,
  INTERNAL_ERROR: HttpStatus.INTERNAL_SERVER_ERROR,
  // A protocol feature this server does not offer (tus concatenation).
  NOT_IMPLEMENTED: HttpStatus.NOT_IMPLEMENTED,
  BAD_GATEWAY: HttpStatus.BAD_GATEWAY,
  SERVICE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  DATABASE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  // A local disk of this server (staging, resumable uploads, scratch) or its quota is full.
  STORAGE_FULL: HttpStatus.INSUFFICIENT_STORAGE,
  GATEWAY_TIMEOUT: HttpStatus.GATEWAY_TIMEOUT,
  HTTP_ERROR: HttpStatus.BAD_REQUEST,
} as const satisfies Record<string, number>;

/** Every `code` a problem of this API can carry. */
export type ProblemCode = keyof typeof DOMAIN_ERROR_STATUS | keyof typeof EDGE_ERROR_STATUS;

export const PROBLEM_STATUS: Record<ProblemCode, number> = { ...DOMAIN_ERROR_STATUS, ...EDGE_ERROR_STATUS };

/** Codes for errors raised by the framework and the HTTP edge rather than a use case. */
export const HTTP_STATUS_CODE: Partial<Record<number, ProblemCode>> = {
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
  501: 'NOT_IMPLEMENTED',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

/** A typical `detail` per code, for the examples in the OpenAPI document. */
export const PROBLEM_EXAMPLE_DETAIL: Partial<Record<ProblemCode, string>> = {
  VALIDATION_FAILED: 'The request is invalid; see errors for each invalid field.',
  MALFORMED_BODY: 'The request body could not be parsed.',
  MALFORMED_MULTIPART: 'The multipart body is malformed.',
  DUPLICATE_FIELD: 'Field "title" is given twice.',
  FIELD_TOO_LARGE: 'Text field "description" is larger than 65536 bytes.',
  TOO_MANY_PARTS: 'At most one file and 16 text fields are accepted.',
  UNEXPECTED_FILE: 'Only one file, in the part named "file", is accepted (got "image").',
  TOO_MANY_FILES: 'At most 20 files per batch.',
  FIELD_AFTER_FILES: 'Text fields go before the files (got "presets" after one).',
  PAYLOAD_TOO_LARGE: 'The request body is larger than this route accepts.',
  TOO_MANY_REQUESTS: 'Too many requests; retry after the number of seconds in Retry-After.',
  INTERNAL_ERROR: 'An unexpected error occurred. It has been logged; quote the requestId when reporting it.',
  DATABASE_UNAVAILABLE: 'The database is unavailable; retry shortly.',
  STORAGE_FULL: 'The server has no space left to take this; nothing of it was kept. Retry later.',
  STORAGE_UNAVAILABLE: 'The file storage is unavailable; retry shortly.',
  INVALID_CURSOR: 'The pagination cursor is malformed.',
  RANGE_NOT_SATISFIABLE: 'The requested range lies outside the object.',
  PANORAMA_NOT_FOUND: 'No panorama with this id exists.',
  UNSUPPORTED_MEDIA_TYPE:
    'The file is not a JPEG, PNG, WebP, TIFF, BMP, GIF or AVIF image (judged by its content, not its name), or is a HEIC, which this server cannot decode.',
  UPLOAD_TOO_LARGE: 'The file is larger than the upload limit of 1073741824 bytes.',
  QUOTA_EXCEEDED: 'This upload would exceed your storage quota.',
  IMAGE_TOO_LARGE: 'The image has more pixels than this server accepts.',
  INVALID_IMAGE: 'The image header could not be read.',
  EMPTY_UPLOAD: 'The uploaded file is empty.',
  MISSING_FILE: 'The multipart body has no "file" part.',
  UPLOAD_ABORTED: 'The upload ended before the whole file arrived.',
  OWNER_NOT_FOUND: 'Your account no longer exists.',
  TILE_SET_NOT_FOUND: 'No tile set with this id exists.',
  INVALID_TILE_OPTIONS: 'Invalid tiling options: tileSize must be at most 1024.',
  TILE_SET_NOT_READY: 'The tile set is processing; tiles are served once it is ready.',
  TILE_NOT_FOUND: 'No such tile in this pyramid.',
  RENDITION_NOT_FOUND: 'No rendition with this id exists.',
  INVALID_RENDITION_SPEC: 'Invalid rendition: give a width, a height or both.',
  RENDITION_LIMIT_REACHED: 'A panorama has at most 20 renditions; delete one first.',
  RENDITION_NOT_READY: 'The rendition is processing; its file is served once it is ready.',
  UNKNOWN_PRESET: 'No rendition preset "poster"; known: thumb, preview.',
  RENDER_FAILED: 'The rendition could not be made: the image data is corrupt.',
  RENDER_TIMEOUT: 'The image could not be made within 60 s.',
  IIIF_RENDER_TIMEOUT: 'The image could not be rendered within 30 s; retry later or ask for a smaller size.',
  SERVER_BUSY: 'Too many IIIF renders are under way or waiting on this server; retry in 5 s.',
  USER_HAS_PANORAMAS: 'This user still has panoramas; delete them first.',
  USER_NOT_FOUND: 'No user with this id exists.',
  EMAIL_ALREADY_REGISTERED: 'A user with this email address is already registered.',
  INVALID_CREDENTIALS: 'The email address or password is incorrect.',
  INVALID_REFRESH_TOKEN: 'The refresh token is invalid, expired or revoked. Sign in again.',
  INVALID_ACCESS_TOKEN: 'The access token is invalid or expired.',
  AUTHENTICATION_REQUIRED: 'This operation needs a bearer access token.',
  FORBIDDEN: 'Your role does not allow this operation.',
  LAST_ADMIN: 'This is the last administrator; promote another user first.',
};

/** The problem `type` URI of a code. */
export const problemType = (code: string) => `urn:tessera:problem:${code.toLowerCase().replaceAll('_', '-')}`;
