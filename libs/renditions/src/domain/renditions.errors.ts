import { DomainError } from '#shared-kernel';

export const RENDITIONS_ERROR_CODES = [
  'RENDITION_NOT_FOUND',
  'INVALID_RENDITION_SPEC',
  'RENDITION_LIMIT_REACHED',
  'RENDITION_NOT_READY',
  'UNKNOWN_PRESET',
  'RENDER_FAILED',
  'RENDER_TIMEOUT',
] as const;
export type RenditionsErrorCode = (typeof RENDITIONS_ERROR_CODES)[number];

/** This module's errors: `code` is one of its list. */
export abstract class RenditionsError extends DomainError {
  abstract override readonly code: RenditionsErrorCode;
}

/** Also what another user's rendition looks like. */
export class RenditionNotFoundError extends RenditionsError {
  readonly code = 'RENDITION_NOT_FOUND';
  constructor() {
    super('No rendition with this id exists.');
  }
}

export class InvalidRenditionSpecError extends RenditionsError {
  readonly code = 'INVALID_RENDITION_SPEC';
  constructor(problems: string[]) {
    super(`Invalid rendition: ${problems.join('; ')}.`, { problems });
  }
}

export class RenditionLimitReachedError extends RenditionsError {
  readonly code = 'RENDITION_LIMIT_REACHED';
  constructor(limit: number) {
    super(`A panorama has at most ${limit} renditions; delete one first.`, { limit });
  }
}

export class RenditionNotReadyError extends RenditionsError {
  readonly code = 'RENDITION_NOT_READY';
  constructor(status: string) {
    super(`The rendition is ${status}; its file is served once it is ready.`, { renditionStatus: status });
  }
}

export class UnknownPresetError extends RenditionsError {
  readonly code = 'UNKNOWN_PRESET';
  constructor(name: string, known: string[]) {
    super(`No rendition preset "${name.slice(0, 50)}"; known: ${known.join(', ') || 'none'}.`, { known });
  }
}

/** The image could not be rendered (decoding failed past its header). */
export class RenderFailedError extends RenditionsError {
  readonly code = 'RENDER_FAILED';
  constructor(reason: string) {
    super(`The rendition could not be made: ${reason}`);
  }
}

/** Making the image took longer than allowed (retried for a job: the machine may have been busy). */
export class RenderTimedOutError extends RenditionsError {
  readonly code = 'RENDER_TIMEOUT';
  override readonly retryable = true;
  constructor(seconds: number) {
    super(`The image could not be made within ${seconds} s.`, { timeoutSeconds: seconds });
  }
}
