import { DomainError } from '#shared-kernel';
import { IMAGE_FORMAT_NAMES } from './image-format.js';

export const PANORAMAS_ERROR_CODES = [
  'PANORAMA_NOT_FOUND',
  'UNSUPPORTED_MEDIA_TYPE',
  'UPLOAD_TOO_LARGE',
  'QUOTA_EXCEEDED',
  'IMAGE_TOO_LARGE',
  'INVALID_IMAGE',
  'EMPTY_UPLOAD',
  'MISSING_FILE',
  'UPLOAD_ABORTED',
  'OWNER_NOT_FOUND',
] as const;
export type PanoramasErrorCode = (typeof PANORAMAS_ERROR_CODES)[number];

/** This module's errors: `code` is one of its list. */
export abstract class PanoramasError extends DomainError {
  abstract override readonly code: PanoramasErrorCode;
}

/** Also what another user's panorama looks like: indistinguishable from a missing one. */
export class PanoramaNotFoundError extends PanoramasError {
  readonly code = 'PANORAMA_NOT_FOUND';
  constructor() {
    super('No panorama with this id exists.');
  }
}

export class UnsupportedMediaTypeError extends PanoramasError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  /** `recognised`: a format known by its bytes that cannot be decoded here (HEIC). */
  constructor(recognised?: string) {
    super(
      recognised === 'HEIC'
        ? 'The file is a HEIC image (HEVC-coded HEIF, as phones write). This server cannot decode HEVC: ' +
            `convert it to JPEG or AVIF first (on an iPhone: Settings > Camera > Formats > Most Compatible). Accepted: ${IMAGE_FORMAT_NAMES}.`
        : `The file is not a ${IMAGE_FORMAT_NAMES} image (judged by its content, not its name).`,
      recognised ? { format: recognised } : undefined,
    );
  }
}

export class UploadTooLargeError extends PanoramasError {
  readonly code = 'UPLOAD_TOO_LARGE';
  constructor(limitBytes: number) {
    super(`The file is larger than the upload limit of ${limitBytes} bytes.`, { limitBytes });
  }
}

export class QuotaExceededError extends PanoramasError {
  readonly code = 'QUOTA_EXCEEDED';
  constructor(kind: 'bytes' | 'panoramas', limit: number, used: number) {
    super(
      kind === 'bytes'
        ? `This upload would exceed your storage quota of ${limit} bytes (${used} used).`
        : `You have reached your quota of ${limit} panoramas.`,
      { quota: kind, limit, used },
    );
  }
}

export class ImageTooLargeError extends PanoramasError {
  readonly code = 'IMAGE_TOO_LARGE';
  constructor(width: number, height: number, limits: { maxPixels: number; maxSide: number }) {
    super(
      `The image is ${width}x${height}; the limits are ${limits.maxPixels} pixels and ${limits.maxSide} pixels per side.`,
      {
        width,
        height,
        ...limits,
      },
    );
  }
}

export class InvalidImageError extends PanoramasError {
  readonly code = 'INVALID_IMAGE';
  constructor(reason = 'The image header could not be read; the file is damaged or not what it claims to be.') {
    super(reason);
  }
}

export class EmptyUploadError extends PanoramasError {
  readonly code = 'EMPTY_UPLOAD';
  constructor() {
    super('The uploaded file is empty.');
  }
}

export class MissingFileError extends PanoramasError {
  readonly code = 'MISSING_FILE';
  constructor() {
    super('The multipart body has no "file" part.');
  }
}

export class UploadAbortedError extends PanoramasError {
  readonly code = 'UPLOAD_ABORTED';
  constructor() {
    super('The upload ended before the whole file arrived.');
  }
}

/** The owner's account was deleted while their request was under way. */
export class OwnerNotFoundError extends PanoramasError {
  readonly code = 'OWNER_NOT_FOUND';
  constructor() {
    super('Your account no longer exists.');
  }
}
