import { createReadStream } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import type { DataStore, Upload } from '@tus/server';
import { StorageUnavailableError } from '#shared-kernel';
import { isS3Outage } from '#storage';

/** Upload ids are ours (a UUID): anything else names no upload, whatever file it might name. */
export const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Where tus keeps uploads, and what ResumableUploads needs of it besides tus's DataStore.
 * An upload's URL names it by a UUID; the store's id is where the store keeps it (on S3,
 * a key under the owner's prefix: see S3TusStorage).
 */
export abstract class TusStorage {
  abstract readonly store: DataStore;
  abstract init(): Promise<void>;
  /** The store id of the upload `uuid` of `ownerId` (a user id, itself a UUID). */
  abstract idOf(ownerId: string, uuid: string): string;
  /** The UUID an upload's store id stands for, or null for anything that is not one of ours. */
  abstract uuidOf(id: string): string | null;
  /**
   * The store ids of the uploads `ownerId` may hold, finished or not: theirs alone where the
   * id tells the owner (S3), else every upload (the caller checks each one's owner).
   */
  abstract idsOf(ownerId: string): Promise<string[]>;
  /** A finished upload's bytes, and where they already are in ObjectStorage when they are. */
  abstract content(upload: Upload): Promise<{ content: Readable; storedAt?: string }>;
  /** Everything of an upload goes (unfinished or finished); an upload already gone is no error. */
  abstract discard(id: string): Promise<void>;
}

/** A failure of the store that is the storage's outage (answered 503, not 404 or 500). */
export const isStorageOutage = (error: unknown) => error instanceof StorageUnavailableError || isS3Outage(error);

/** The shared lock of one upload (tus's locker and the sweep). */
export const tusLockKey = (id: string) => `tus:${id}`;

/** tus's file store in a directory of this machine: an upload's requests must reach this machine. */
export class LocalTusStorage extends TusStorage {
  readonly store: FileStore;
  private readonly directory: string;

  constructor(directory: string, expiryMs: number) {
    super();
    this.directory = resolve(directory);
    this.store = new FileStore({ directory: this.directory, expirationPeriodInMilliseconds: expiryMs });
  }

  async init(): Promise<void> {
    await mkdir(this.directory, { recursive: true });
  }

  /** The UUID itself: one directory for all (reading each upload's small JSON file is cheap here). */
  idOf(_ownerId: string, uuid: string): string {
    return uuid;
  }

  uuidOf(id: string): string | null {
    return UPLOAD_ID.test(id) ? id : null;
  }

  async idsOf(): Promise<string[]> {
    const names = await readdir(this.directory).catch(() => [] as string[]);
    return names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length));
  }

  content(upload: Upload): Promise<{ content: Readable }> {
    return Promise.resolve({ content: createReadStream(join(this.directory, upload.id)) });
  }

  async discard(id: string): Promise<void> {
    await this.store.remove(id).catch(() => undefined);
  }
}
