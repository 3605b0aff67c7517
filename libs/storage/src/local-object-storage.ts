import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, fstatSync, openSync, readSync } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { listFiles, publishPlan } from './directory-files.js';
import {
  assertStorageKey,
  assertStoragePrefix,
  type ByteRange,
  ObjectNotFoundError,
  type ObjectRead,
  type ObjectStat,
  ObjectStorage,
  type PutResult,
  RangeNotSatisfiableError,
  type StoredObject,
} from '#shared-kernel';

const isErrno = (error: unknown, code: string) => (error as NodeJS.ErrnoException | undefined)?.code === code;

/**
 * How `readAll` (a tile, read whole) reads its file: `blocking` in the event loop, as nginx
 * reads files unless told `aio threads`, for files up to BLOCKING_READ_MAX_BYTES (larger
 * ones, a render's big PNG tiles, go to the thread pool); `threadpool` with readFile on
 * libuv's threads, for a root on a disk so slow that a read should not hold up the process.
 */
export type LocalReads = 'blocking' | 'threadpool';

/** The largest file `blocking` reads in the event loop (a tile the API keeps in memory: 1 MiB). */
export const BLOCKING_READ_MAX_BYTES = 1024 * 1024;

/** The file's bytes, read without leaving the event loop (open, fstat, read, close); undefined when larger than `max`. */
function readSmallSync(path: string, max: number): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > max) return undefined;
    const bytes = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const read = readSync(fd, bytes, filled, size - filled, filled);
      if (read === 0) break; // shortened meanwhile: what is there
      filled += read;
    }
    return filled === size ? bytes : bytes.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}

/**
 * ObjectStorage on a local directory. Keys map to paths below `root`; a key can never
 * resolve outside it. Writes go to a dot-named temp file in the target directory, are
 * fsynced, then renamed into place (atomic on POSIX), and the directory is fsynced.
 * Dot-named files are never keys (see assertStorageKey), so listings skip them.
 */
export class LocalObjectStorage extends ObjectStorage {
  readonly root: string;
  /** How readAll reads (STORAGE_LOCAL_READS). */
  readonly reads: LocalReads;

  constructor(root: string, options: { reads?: LocalReads } = {}) {
    super();
    this.root = resolve(root);
    this.reads = options.reads ?? 'blocking';
  }

  async put(key: string, body: Readable): Promise<PutResult> {
    const target = this.pathOf(key);
    return this.writeAtomically(target, async (tempPath) => {
      const hash = createHash('sha256');
      let bytes = 0;
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            hash.update(chunk);
            bytes += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(tempPath, { flags: 'r+' }),
      );
      return { bytes, sha256: hash.digest('hex') };
    });
  }

  async importFile(key: string, path: string): Promise<{ bytes: number }> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    const { size } = await stat(path);
    try {
      await rename(path, target);
    } catch (error) {
      if (!isErrno(error, 'EXDEV')) throw error;
      // Another filesystem: copy atomically, then drop the source.
      await this.writeAtomically(target, (tempPath) => copyFile(path, tempPath));
      await unlink(path);
    }
    await this.fsyncDirectory(dirname(target));
    return { bytes: size };
  }

  async copy(from: string, to: string): Promise<{ bytes: number }> {
    const source = this.pathOf(from);
    const target = this.pathOf(to);
    const found = await stat(source).catch((error: unknown) => {
      if (isErrno(error, 'ENOENT')) throw new ObjectNotFoundError(from);
      throw error;
    });
    await this.writeAtomically(target, (tempPath) => copyFile(source, tempPath));
    return { bytes: found.size };
  }

  async publishDirectory(prefix: string, directory: string): Promise<number> {
    assertStoragePrefix(prefix);
    const plan = await publishPlan(prefix, directory); // validates every key before anything moves
    // Fast path: the whole tree moves into place with one rename when the prefix is empty,
    // the tree holds nothing but what is published, and both sit on one filesystem (a
    // pyramid of 100 000 tiles costs no copy).
    const target = this.pathOf(prefix.slice(0, -1));
    const everything = await readdir(directory, { recursive: true, withFileTypes: true });
    if ((await listFiles(target)).length === 0 && everything.filter((e) => e.isFile()).length === plan.length) {
      await rm(target, { recursive: true, force: true });
      await mkdir(dirname(target), { recursive: true });
      try {
        await rename(directory, target);
        await this.fsyncDirectory(dirname(target));
        return plan.length;
      } catch (error) {
        if (!isErrno(error, 'EXDEV')) throw error;
      }
    }
    for (const { file, key } of plan) {
      const path = this.pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      await this.writeAtomically(path, (tempPath) => copyFile(file, tempPath));
    }
    return plan.length;
  }

  override localPath(key: string): string {
    return this.pathOf(key);
  }

  async get(key: string, range?: ByteRange): Promise<ObjectRead> {
    const path = this.pathOf(key);
    const info = await stat(path).catch((error: unknown) => {
      if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) throw new ObjectNotFoundError(key);
      throw error;
    });
    if (!info.isFile()) throw new ObjectNotFoundError(key);
    if (range && (range.start > range.end || range.end >= info.size || range.start < 0))
      throw new RangeNotSatisfiableError(info.size);
    const body = createReadStream(path, range ? { start: range.start, end: range.end } : {});
    return { body, bytes: info.size, ...(range ? { range } : {}) };
  }

  /**
   * One read of the whole file, no stream. Blocking by default, up to BLOCKING_READ_MAX_BYTES
   * (see LocalReads):
   * for a tile in the page cache, readFile's four round trips through libuv's threads (open,
   * fstat, read, close) cost more than the read itself; measured on the 4,160-tile list of
   * `bench:iiif-peer`, in the same runs, one API process served 1.15-1.2x the tiles a second
   * with readFileSync with no tile cache, 1.25x with a 64 MiB one that could not hold them.
   */
  override async readAll(key: string): Promise<Buffer> {
    const path = this.pathOf(key);
    try {
      return (
        (this.reads === 'blocking' ? readSmallSync(path, BLOCKING_READ_MAX_BYTES) : undefined) ?? (await readFile(path))
      );
    } catch (error) {
      if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR') || isErrno(error, 'EISDIR'))
        throw new ObjectNotFoundError(key);
      throw error;
    }
  }

  async stat(key: string): Promise<ObjectStat | null> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? { bytes: info.size, modifiedAt: info.mtime } : null;
    } catch (error) {
      if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return null;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    assertStoragePrefix(prefix);
    const directory = this.pathOf(prefix.slice(0, -1));
    for (const file of await listFiles(directory)) {
      const key = relative(this.root, file).split(sep).join('/');
      yield { key, bytes: (await stat(file)).size };
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertStoragePrefix(prefix);
    const directory = this.pathOf(prefix.slice(0, -1));
    const count = (await listFiles(directory)).length;
    await rm(directory, { recursive: true, force: true });
    await this.pruneEmptyParents(dirname(directory));
    return count;
  }

  async checkHealth(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const probe = join(this.root, `.health-${randomBytes(4).toString('hex')}`);
    await rm(probe, { force: true });
    const handle = await open(probe, 'wx');
    await handle.close();
    await unlink(probe);
  }

  /** Absolute path of a key, refusing anything that is not a well-formed key inside root. */
  pathOf(key: string): string {
    assertStorageKey(key);
    const path = resolve(this.root, ...key.split('/'));
    if (!path.startsWith(this.root + sep)) throw new Error('unreachable: validated key escaped the root');
    return path;
  }

  /**
   * Creates a dot-named temp file beside `target`, lets `write` fill it (by path), fsyncs it,
   * renames it over `target` and fsyncs the directory. On any failure the temp file goes.
   */
  private async writeAtomically<T>(target: string, write: (tempPath: string) => Promise<T>): Promise<T> {
    await mkdir(dirname(target), { recursive: true });
    const tempPath = join(dirname(target), `.${randomBytes(8).toString('hex')}.tmp`);
    try {
      await (await open(tempPath, 'wx', 0o644)).close();
      const result = await write(tempPath);
      const handle = await open(tempPath, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tempPath, target);
      await this.fsyncDirectory(dirname(target));
      return result;
    } catch (error) {
      await rm(tempPath, { force: true });
      throw error;
    }
  }

  private async fsyncDirectory(directory: string): Promise<void> {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** Removes directories left empty by a delete, up to (not including) the root. */
  private async pruneEmptyParents(directory: string): Promise<void> {
    let current = directory;
    while (current.startsWith(this.root + sep)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (or already gone): stop
      }
      current = dirname(current);
    }
  }
}
