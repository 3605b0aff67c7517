import type { Readable } from 'node:stream';

/** A byte range, both ends inclusive (as in HTTP Range). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface StoredObject {
  key: string;
  bytes: number;
}

export interface ObjectStat {
  bytes: number;
  modifiedAt: Date;
  /** Hex SHA-256 when the adapter keeps it (S3 metadata); the local adapter does not. */
  sha256?: string;
  contentType?: string;
}

export interface PutResult {
  bytes: number;
  sha256: string;
}

export interface PutOptions {
  contentType?: string;
  /** The content's SHA-256 when the caller already knows it (kept as metadata where possible). */
  sha256?: string;
}

export interface ObjectRead {
  body: Readable;
  /** Size of the whole object. */
  bytes: number;
  /** The range served, when one was asked for. */
  range?: ByteRange;
}

/**
 * Where originals and tiles live. Keys are built by the server from ids
 * (`originals/{ownerId}/{panoramaId}/original.jpg`), never from user input: lower-case
 * letters, digits, `_ . -` and `/`, no empty or dot-led segments. Every write is atomic: a
 * reader sees the old object, the new one, or none, never a half-written one.
 */
export abstract class ObjectStorage {
  /** Streams `body` to `key`, computing its size and SHA-256 on the way. */
  abstract put(key: string, body: Readable, options?: PutOptions): Promise<PutResult>;
  /**
   * Moves a local file into storage under `key` (the file is gone afterwards). The local
   * adapter renames it when on the same filesystem, so a 1 GiB original costs no copy.
   */
  abstract importFile(key: string, path: string, options?: PutOptions): Promise<{ bytes: number }>;
  /**
   * Copies the object at `from` to `to` inside the storage (S3: a server-side copy, no bytes
   * through this process), with `options` as the copy's content type and checksum.
   * Throws ObjectNotFoundError when `from` is missing.
   */
  abstract copy(from: string, to: string, options?: PutOptions): Promise<{ bytes: number }>;
  /**
   * Publishes every file below `directory` under `prefix` (relative paths become key
   * suffixes) and answers how many objects that made. The directory is consumed: an
   * adapter may move it into place.
   */
  abstract publishDirectory(
    prefix: string,
    directory: string,
    options?: { contentType?: (key: string) => string | undefined },
  ): Promise<number>;
  /** Throws ObjectNotFoundError; RangeNotSatisfiableError when `range` lies outside the object. */
  abstract get(key: string, range?: ByteRange): Promise<ObjectRead>;
  /**
   * The whole object in memory, for small ones (a tile): an adapter may read it in fewer
   * steps than a stream takes. Throws ObjectNotFoundError.
   */
  async readAll(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of (await this.get(key)).body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  abstract stat(key: string): Promise<ObjectStat | null>;
  abstract list(prefix: string): AsyncIterable<StoredObject>;
  /** Idempotent: deleting a missing key is not an error. */
  abstract delete(key: string): Promise<void>;
  /** Deletes every object under `prefix`; returns how many. Idempotent. */
  abstract deletePrefix(prefix: string): Promise<number>;
  /** Throws when the storage cannot be used (missing root or bucket, no permission). */
  abstract checkHealth(): Promise<void>;

  /** A local filesystem path for reading `key` in place, when the adapter has one (else null: download it). */
  localPath(_key: string): string | null {
    return null;
  }

  /** Releases connections when the process stops (nothing to release by default). */
  close(): void {}
}
