import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { ApiKey, type ApiKeyScope, ApiKeyRepository } from '#users';
import { insertWithinOwnerLimit, runOn, textArray } from './raw-sql.js';

interface ApiKeyRow {
  id: string;
  user_id: string;
  name: string;
  scopes: ApiKeyScope[];
  hint: string;
  secret_hash: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
}

const COLUMNS = 'id, user_id, name, scopes, hint, secret_hash, created_at, expires_at, last_used_at';

const toKey = (row: ApiKeyRow) =>
  new ApiKey({
    id: row.id,
    userId: row.user_id,
    name: row.name,
    scopes: row.scopes,
    hint: row.hint,
    secretHash: row.secret_hash,
    createdAt: new Date(row.created_at),
    expiresAt: row.expires_at && new Date(row.expires_at),
    lastUsedAt: row.last_used_at && new Date(row.last_used_at),
  });

/**
 * API keys in `api_keys`, in plain SQL (a text[] column and a row-locked count; raw-sql.ts).
 * Always the primary: a revoked key must never be read back from a replica.
 */
@Injectable()
export class MikroOrmApiKeyRepository extends ApiKeyRepository {
  constructor(private readonly em: EntityManager) {
    super();
  }

  insertWithin(key: ApiKey, limit: number): Promise<boolean> {
    return insertWithinOwnerLimit(this.em, 'api_keys', key.userId, limit, (run) =>
      run(
        `insert into api_keys (id, user_id, name, scopes, hint, secret_hash, created_at, expires_at)
         values (?, ?, ?, ?::text[], ?, ?, ?, ?)`,
        [key.id, key.userId, key.name, textArray(key.scopes), key.hint, key.secretHash, key.createdAt, key.expiresAt],
      ),
    );
  }

  async listOf(userId: string): Promise<ApiKey[]> {
    const rows = await this.query(`select ${COLUMNS} from api_keys where user_id = ? order by created_at desc, id`, [
      userId,
    ]);
    return rows.map(toKey);
  }

  async findByHash(secretHash: string): Promise<ApiKey | null> {
    const [row] = await this.query(`select ${COLUMNS} from api_keys where secret_hash = ?`, [secretHash]);
    return row ? toKey(row) : null;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const rows = await this.query(`delete from api_keys where id = ? and user_id = ? returning id`, [id, userId]);
    return rows.length > 0;
  }

  async recordUse(id: string, at: Date): Promise<void> {
    await this.query(`update api_keys set last_used_at = greatest(last_used_at, ?) where id = ? returning id`, [
      at,
      id,
    ]);
  }

  private query(sql: string, params: unknown[]): Promise<ApiKeyRow[]> {
    return runOn(this.em)<ApiKeyRow>(sql, params);
  }
}
