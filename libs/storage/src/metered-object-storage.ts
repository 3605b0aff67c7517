import type { Readable } from 'node:stream';
import {
  type ByteRange,
  Metrics,
  ObjectNotFoundError,
  type ObjectRead,
  type ObjectStat,
  ObjectStorage,
  type PutOptions,
  type PutResult,
  RangeNotSatisfiableError,
  type StoredObject,
} from '#shared-kernel';

/**
 * Any ObjectStorage, with its failures counted (`tessera_storage_errors_total` by operation).
 * A missing object or an unsatisfiable range is an answer, not a failure.
 */
export class MeteredObjectStorage extends ObjectStorage {
  constructor(
    /** The storage it measures. */
    readonly inner: ObjectStorage,
    private readonly metrics: Metrics,
  ) {
    super();
  }

  put(key: string, body: Readable, options?: PutOptions): Promise<PutResult> {
    return this.measure('put', () => this.inner.put(key, body, options));
  }

  importFile(key: string, path: string, options?: PutOptions): Promise<{ bytes: number }> {
    return this.measure('import', () => this.inner.importFile(key, path, options));
  }

  copy(from: string, to: string, options?: PutOptions): Promise<{ bytes: number }> {
    return this.measure('copy', () => this.inner.copy(from, to, options));
  }

  publishDirectory(
    prefix: string,
    directory: string,
    options?: { contentType?: (key: string) => string | undefined },
  ): Promise<number> {
    return this.measure('publish', () => this.inner.publishDirectory(prefix, directory, options));
  }

  get(key: string, range?: ByteRange): Promise<ObjectRead> {
    return this.measure('get', () => this.inner.get(key, range));
  }

  override readAll(key: string): Promise<Buffer> {
    return this.measure('get', () => this.inner.readAll(key));
  }

  stat(key: string): Promise<ObjectStat | null> {
    return this.measure('stat', () => this.inner.stat(key));
  }

  list(prefix: string): AsyncIterable<StoredObject> {
    return this.inner.list(prefix);
  }

  delete(key: string): Promise<void> {
    return this.measure('delete', () => this.inner.delete(key));
  }

  deletePrefix(prefix: string): Promise<number> {
    return this.measure('delete', () => this.inner.deletePrefix(prefix));
  }

  checkHealth(): Promise<void> {
    return this.measure('health', () => this.inner.checkHealth());
  }

  override localPath(key: string): string | null {
    return this.inner.localPath(key);
  }

  override close(): void {
    this.inner.close();
  }

  private async measure<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ObjectNotFoundError || error instanceof RangeNotSatisfiableError)) {
        this.metrics.count('storage_errors', { operation });
      }
      throw error;
    }
  }
}
