import { createHash } from 'node:crypto';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type StagedUpload, UploadAbortedError, UploadStaging } from '#panoramas';
import { type DomainError, Metrics, newId, NoMetrics } from '#shared-kernel';

const HEAD_BYTES = 64;

/**
 * Stages uploads as files in `directory` (UPLOAD_TMP_DIR). Put it on the storage root's
 * filesystem and the local storage adapter moves originals into place by rename.
 */
export class FileSystemUploadStaging extends UploadStaging {
  readonly directory: string;

  constructor(
    directory: string,
    private readonly metrics: Metrics = new NoMetrics(),
  ) {
    super();
    this.directory = resolve(directory);
  }

  async stage(content: Readable, limits: { maxBytes: number; tooLarge: () => DomainError }): Promise<StagedUpload> {
    // The client already gone (its stream destroyed while the quota was read): no file at all.
    if (content.destroyed) throw content.errored ?? new UploadAbortedError();
    await mkdir(this.directory, { recursive: true });
    const path = join(this.directory, `${newId()}.upload`);
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headBytes = 0;
    let bytes = 0;
    // Created here, before streaming: a write stream opens its file lazily, so when the source
    // fails at once (the client already gone) the file would appear after the cleanup below.
    const file = await open(path, 'wx');
    try {
      await pipeline(
        content,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            bytes += chunk.length;
            if (bytes > limits.maxBytes) throw limits.tooLarge();
            if (headBytes < HEAD_BYTES) {
              head.push(chunk.subarray(0, HEAD_BYTES - headBytes));
              headBytes += Math.min(chunk.length, HEAD_BYTES - headBytes);
            }
            hash.update(chunk);
            yield chunk;
          }
        },
        // 1 MiB in flight instead of 16 KiB: the socket is not paused for every write's
        // round trip through libuv's threads (npm run bench:upload: 116-137 -> 134-179 MiB/s).
        file.createWriteStream({ highWaterMark: 1024 * 1024 }),
      );
    } catch (error) {
      await file.close().catch(() => undefined); // already closed by the stream, unless it never started
      await rm(path, { force: true });
      // Stop the producer too (a multipart part we gave up on must not keep the request busy).
      content.destroy();
      throw error;
    }
    this.metrics.count('upload_bytes', {}, bytes);
    return { path, bytes, sha256: hash.digest('hex'), head: Buffer.concat(head) };
  }

  async scratchPath(purpose: 'rendition' | 'compress'): Promise<string> {
    await mkdir(this.directory, { recursive: true });
    return join(this.directory, `${purpose}-${newId()}.upload`);
  }

  async discard(staged: Pick<StagedUpload, 'path'>): Promise<void> {
    await rm(staged.path, { force: true }).catch(() => undefined);
  }

  /** Removes staged files older than `maxAgeMs` (left by a crash). Returns how many. */
  async sweep(maxAgeMs: number): Promise<number> {
    let removed = 0;
    const entries = await readdir(this.directory).catch(() => [] as string[]);
    for (const name of entries.filter((n) => n.endsWith('.upload'))) {
      const path = join(this.directory, name);
      const info = await stat(path).catch(() => null);
      if (info && Date.now() - info.mtimeMs > maxAgeMs) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }
}
