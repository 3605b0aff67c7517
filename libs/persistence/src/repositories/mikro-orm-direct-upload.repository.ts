import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { type DirectUpload, DirectUploadRepository, type DirectUploadState } from '#panoramas';
import { runOn } from './raw-sql.js';

interface DirectUploadRow {
  id: string;
  owner_id: string;
  object_key: string;
  storage_upload_id: string;
  filename: string;
  bytes: string;
  part_bytes: number;
  fields: Record<string, string>;
  state: DirectUploadState;
  panorama_id: string | null;
  created_at: Date;
  expires_at: Date;
}

const COLUMNS =
  'id, owner_id, object_key, storage_upload_id, filename, bytes, part_bytes, fields, state, panorama_id, created_at, expires_at';

const toUpload = (row: DirectUploadRow): DirectUpload => ({
  id: row.id,
  ownerId: row.owner_id,
  key: row.object_key,
  storageUploadId: row.storage_upload_id,
  filename: row.filename,
  bytes: Number(row.bytes),
  partBytes: row.part_bytes,
  fields: row.fields,
  state: row.state,
  panoramaId: row.panorama_id,
  createdAt: new Date(row.created_at),
  expiresAt: new Date(row.expires_at),
});

/** Direct uploads in `direct_uploads`, in plain SQL, always on the primary (a state read back must be the latest). */
@Injectable()
export class MikroOrmDirectUploadRepository extends DirectUploadRepository {
  constructor(private readonly em: EntityManager) {
    super();
  }

  async insert(upload: DirectUpload): Promise<void> {
    await this.query(
      `insert into direct_uploads (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?) returning id`,
      [
        upload.id,
        upload.ownerId,
        upload.key,
        upload.storageUploadId,
        upload.filename,
        upload.bytes,
        upload.partBytes,
        JSON.stringify(upload.fields),
        upload.state,
        upload.panoramaId,
        upload.createdAt,
        upload.expiresAt,
      ],
    );
  }

  async find(ownerId: string, id: string): Promise<DirectUpload | null> {
    const [row] = await this.query(`select ${COLUMNS} from direct_uploads where id = ? and owner_id = ?`, [
      id,
      ownerId,
    ]);
    return row ? toUpload(row) : null;
  }

  async unfinishedOf(ownerId: string): Promise<DirectUpload[]> {
    const rows = await this.query(
      `select ${COLUMNS} from direct_uploads where owner_id = ? and state <> 'completed' order by created_at desc, id`,
      [ownerId],
    );
    return rows.map(toUpload);
  }

  async markAssembled(id: string): Promise<void> {
    await this.query(`update direct_uploads set state = 'assembled' where id = ? and state = 'open' returning id`, [
      id,
    ]);
  }

  async markCompleted(id: string, panoramaId: string): Promise<void> {
    await this.query(`update direct_uploads set state = 'completed', panorama_id = ? where id = ? returning id`, [
      panoramaId,
      id,
    ]);
  }

  async delete(id: string): Promise<void> {
    await this.query(`delete from direct_uploads where id = ? returning id`, [id]);
  }

  async expired(now: Date, limit: number): Promise<DirectUpload[]> {
    const rows = await this.query(
      `select ${COLUMNS} from direct_uploads where expires_at < ? order by expires_at limit ?`,
      [now, limit],
    );
    return rows.map(toUpload);
  }

  async deleteExpired(id: string, now: Date): Promise<boolean> {
    const rows = await this.query(`delete from direct_uploads where id = ? and expires_at < ? returning id`, [id, now]);
    return rows.length > 0;
  }

  private query(sql: string, params: unknown[]): Promise<DirectUploadRow[]> {
    return runOn(this.em)<DirectUploadRow>(sql, params);
  }
}
