import type { Readable } from 'node:stream';
import type { DomainError } from '#shared-kernel';

/** An upload written to a local temp file, with what was learnt on the way. */
export interface StagedUpload {
  path: string;
  bytes: number;
  sha256: string;
  /** The first bytes, for sniffing the type. */
  head: Buffer;
}

/**
 * Streams an upload to a temp file (never into memory), hashing and counting as it goes.
 * Past `maxBytes` it stops, removes the file and throws `tooLarge()`. If the source fails
 * (client gone) the file is removed and the error rethrown.
 */
export abstract class UploadStaging {
  abstract stage(content: Readable, limits: { maxBytes: number; tooLarge: () => DomainError }): Promise<StagedUpload>;
  /** Removes the temp file (a staged upload, or a scratchPath) if it still exists. Never throws. */
  abstract discard(staged: Pick<StagedUpload, 'path'>): Promise<void>;
  /**
   * A fresh path (its directory exists, the file does not) beside the staged uploads for
   * work output (a rendition being made): same filesystem as the storage root, and swept
   * like a staged upload if its process dies. Its name starts with `purpose`, so that what
   * a background job holds is told apart from what a request holds.
   */
  abstract scratchPath(purpose: 'rendition' | 'compress'): Promise<string>;
}
