/**
 * A direct upload (STORAGE_DRIVER=s3): the client PUTs its parts straight to the object
 * store; the API keeps what it needs to sign, complete and clean up, here. `open`: the
 * multipart upload takes parts; `assembled`: the object exists at `key`, not yet accepted
 * (an ingest that stopped for the machine's sake is tried again on the next complete);
 * `completed`: the panorama exists (kept until expiry so a repeated complete answers it).
 */
export type DirectUploadState = 'open' | 'assembled' | 'completed';

export interface DirectUpload {
  id: string;
  ownerId: string;
  /** The object the parts become (`uploads/{ownerId}/{id}`). */
  key: string;
  /** The object store's multipart upload id. */
  storageUploadId: string;
  filename: string;
  /** The file's exact size, declared at creation. */
  bytes: number;
  /** Every part's size but the last one's. */
  partBytes: number;
  /** The upload's text fields as uploadPanorama takes them (validated again at completion). */
  fields: Record<string, string>;
  state: DirectUploadState;
  panoramaId: string | null;
  createdAt: Date;
  expiresAt: Date;
}

/** Where direct uploads are kept (PostgreSQL: any API instance can go on with one). */
export abstract class DirectUploadRepository {
  abstract insert(upload: DirectUpload): Promise<void>;
  /** The owner's upload (null for anyone else's, or none). */
  abstract find(ownerId: string, id: string): Promise<DirectUpload | null>;
  /** The owner's uploads not yet completed, newest first. */
  abstract unfinishedOf(ownerId: string): Promise<DirectUpload[]>;
  abstract markAssembled(id: string): Promise<void>;
  abstract markCompleted(id: string, panoramaId: string): Promise<void>;
  abstract delete(id: string): Promise<void>;
  /** Up to `limit` uploads past their expiry, longest expired first. */
  abstract expired(now: Date, limit: number): Promise<DirectUpload[]>;
  /** Removes the upload if it is still past its expiry; false when another caller did first. */
  abstract deleteExpired(id: string, now: Date): Promise<boolean>;
}

/** What unfinished direct uploads hold against their owner's quota: their declared sizes. */
export const reservedByDirect = (uploads: readonly DirectUpload[]) => uploads.reduce((sum, u) => sum + u.bytes, 0);
