import { createHmac } from 'node:crypto';
import type { AppConfig } from '#config';
import { storedShareKeys } from '#persistence';

export interface ShareKey {
  id: string;
  secret: Buffer;
}

/** Where the keys come from, for the start-up line. */
export interface ShareKeySet {
  /** The first signs; every one verifies. */
  keys: ShareKey[];
  source: string;
}

/** What a share-link signature is for (part of every signed text, and of the legacy key). */
export const SHARE_LINK_PURPOSE = 'tessera-share-link/v1';

/** SHARE_KEYS as keys (empty when not configured). */
export const configuredShareKeys = (config: AppConfig): ShareKey[] =>
  config.SHARE_KEYS.map((k) => ({ id: k.id, secret: Buffer.from(k.secret) }));

/** The key links were signed with before keys were kept: derived from a configured JWT_SECRET. */
export function legacyShareKey(config: AppConfig): ShareKey | undefined {
  if (config.JWT_SECRET_GENERATED || config.JWT_SECRET_STORED) return undefined;
  return { id: 'k0', secret: createHmac('sha256', config.JWT_SECRET).update(SHARE_LINK_PURPOSE).digest() };
}

/**
 * The share-link keys: SHARE_KEYS when configured; else those kept in the database (the
 * first made on first use). Links signed before keys were kept, with a key derived from a
 * configured JWT_SECRET (`k0`), still verify until SHARE_KEYS is set.
 */
export async function loadShareKeys(config: AppConfig): Promise<ShareKeySet> {
  if (config.SHARE_KEYS.length > 0) {
    return {
      keys: configuredShareKeys(config),
      source: `SHARE_KEYS (${config.SHARE_KEYS.length})`,
    };
  }
  const stored = (await storedShareKeys(config.DATABASE_URL, { ensure: true })).filter((k) => !k.retiredAt);
  const keys: ShareKey[] = stored.map((k) => ({ id: k.id, secret: Buffer.from(k.secret) }));
  const legacy = legacyShareKey(config);
  if (legacy) keys.push(legacy);
  return { keys, source: `the database (${stored.length} active, signing with ${stored[0]?.id})` };
}
