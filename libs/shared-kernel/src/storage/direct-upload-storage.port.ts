/** One part of a direct upload: its number (from 1), its exact size, and where to PUT it. */
export interface SignedPart {
  partNumber: number;
  bytes: number;
  url: string;
}

/** A part the client has sent, as the storage acknowledged it (S3: the part's ETag). */
export interface SentPart {
  partNumber: number;
  etag: string;
}

/**
 * Uploads that go from the client straight to the object store (S3 multipart uploads with
 * presigned part URLs): the API begins one, signs a URL per part, and completes or aborts
 * it; the bytes never pass through the API. Only an object store can offer it
 * (`offered`); the local driver cannot.
 */
export abstract class DirectUploadStorage {
  abstract readonly offered: boolean;
  /** The origins the signed URLs may point at (for the web app's Content-Security-Policy). */
  abstract readonly origins: readonly string[];
  /** Starts a multipart upload that will become the object `key`; answers its upload id. */
  abstract begin(key: string, contentType: string): Promise<string>;
  /** URLs to PUT each part to, each signed for exactly that part's size, valid for `expiresInSeconds`. */
  abstract signParts(
    key: string,
    uploadId: string,
    parts: readonly { partNumber: number; bytes: number }[],
    expiresInSeconds: number,
  ): Promise<SignedPart[]>;
  /**
   * Assembles the parts into the object `key`. Throws PartsRejectedError when the store
   * refuses the list (a part missing, unknown or too small, an ETag that is not the part's).
   */
  abstract complete(key: string, uploadId: string, parts: readonly SentPart[]): Promise<void>;
  /** Drops an unfinished multipart upload and its parts. Idempotent. */
  abstract abort(key: string, uploadId: string): Promise<void>;
  /** Releases connections when the process stops (nothing to release by default). */
  close(): void {}
}

/** The object store refused the parts a client said it sent (S3 InvalidPart, InvalidPartOrder, EntityTooSmall...). */
export class PartsRejectedError extends Error {
  constructor(readonly reason: string) {
    super(`The object store refused the parts: ${reason}`);
    this.name = 'PartsRejectedError';
  }
}

/** Where direct uploads cannot be offered (local storage). */
export class NoDirectUploads extends DirectUploadStorage {
  readonly offered = false;
  readonly origins = [];
  begin(): Promise<string> {
    return Promise.reject(new Error('Direct uploads need an object store (STORAGE_DRIVER=s3)'));
  }
  signParts(): Promise<SignedPart[]> {
    return this.begin() as never;
  }
  complete(): Promise<void> {
    return this.begin() as never;
  }
  abort(): Promise<void> {
    return Promise.resolve();
  }
}
