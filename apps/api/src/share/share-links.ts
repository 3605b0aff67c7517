import { createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '#config';
import type { ShareGrant } from '#shared-kernel';
import { HttpProblem } from '../http/problem/http-problem.js';
import { configuredShareKeys, legacyShareKey, loadShareKeys, SHARE_LINK_PURPOSE, type ShareKey } from './share-keys.js';

/** Signature length: 16 bytes of HMAC-SHA256 (128 bits), 22 base64url characters. */
const MAC_BYTES = 16;
const TOKEN =
  /^([a-z0-9]{1,16})\.([0-9a-z]{1,9})\.([0-9a-z]{1,7})(?:\.([A-Za-z0-9_-]{22})(?:\.([A-Za-z0-9_-]{22}))?)?\.([A-Za-z0-9_-]{22})$/;
/** Links remembered as verified (the most recently used). */
const VERIFIED_MAX = 10_000;

/** Keys are read again this often (a rotation or retirement reaches every process within it). */
const RELOAD_MS = 60_000;
/** A token naming a key this process does not know reloads the keys at most this often. */
const UNKNOWN_KEY_RELOAD_MS = 5_000;

/**
 * Share links: capability URLs whose path carries a token granting read access to one tile
 * set, one rendition or one collection until an expiry.
 * token = `{key id}.{expiry}.{epoch}[.{link}[.{collection}]].{mac}` (expiry in Unix seconds
 * and the resource's share epoch in base 36; link: a listed link's id, its 16 bytes in
 * base64url, absent for an unlisted one; collection: for a member of a shared collection,
 * the collection's id, the link being the collection's; mac = HMAC-SHA256 over purpose,
 * granted prefix, expiry, epoch, link and collection, truncated to 128 bits, base64url). Checked in
 * constant time, with no database round trip; the epoch is compared with the resource's own
 * (cached, dropped on every instance when it changes) by the use case, a listed link with
 * the revoked set (RevokedShareLinks) by the guard.
 *
 * Keys (loadShareKeys): SHARE_KEYS, or those kept in the database; new links are signed with
 * the first, links signed with any are accepted (rotation). Read again every minute, and
 * when a token names a key this process does not know yet (made by another process).
 */
@Injectable()
export class ShareLinks implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Keys');
  private keys: ShareKey[];
  /** Signatures (as text) of links verified lately, by resource and signed fields. */
  private readonly verified = new LRUCache<string, Buffer>({ max: VERIFIED_MAX });
  private timer?: NodeJS.Timeout;
  private lastLoad = 0;
  private loading?: Promise<boolean>;

  /**
   * Until the keys are loaded (outside Nest: tests, tools): SHARE_KEYS, or the key derived
   * from a configured JWT_SECRET that links made before keys were kept are signed with.
   */
  constructor(private readonly config: AppConfig) {
    const legacy = legacyShareKey(config);
    this.keys = config.SHARE_KEYS.length ? configuredShareKeys(config) : legacy ? [legacy] : [];
  }

  async onModuleInit(): Promise<void> {
    const { source } = await this.load();
    this.logger.log(
      `Login tokens are signed with ${
        this.config.JWT_SECRET_STORED ? 'a key kept in the database' : 'JWT_SECRET'
      }; share links with keys from ${source}`,
    );
    this.timer = setInterval(() => void this.reload().catch(() => undefined), RELOAD_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /**
   * Reads the keys again when the last read is older than UNKNOWN_KEY_RELOAD_MS (a token
   * named a key this process does not know); true when the set changed.
   */
  refresh(): Promise<boolean> {
    if (Date.now() - this.lastLoad < UNKNOWN_KEY_RELOAD_MS) return Promise.resolve(false);
    return this.reload();
  }

  /** Whether `token` names a key this process knows (else `refresh` may learn it). */
  knowsKeyOf(token: string): boolean {
    const id = TOKEN.exec(token)?.[1];
    return id !== undefined && this.keys.some((k) => k.id === id);
  }

  private reload(): Promise<boolean> {
    this.loading ??= this.load()
      .then(({ changed }) => changed)
      .finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<{ source: string; changed: boolean }> {
    this.lastLoad = Date.now();
    const { keys, source } = await loadShareKeys(this.config);
    const before = this.keys.map((k) => k.id).join();
    this.keys = keys;
    const changed = keys.map((k) => k.id).join() !== before;
    if (changed) this.verified.clear();
    return { source, changed };
  }

  /** The id of the key new links are signed with. */
  signingKeyId(): string {
    const key = this.keys[0];
    if (!key) throw new Error('No share-link key loaded yet');
    return key.id;
  }

  /** A token for `grant`, expiring `ttlSeconds` from now (capped by SHARE_MAX_TTL_SECONDS). */
  sign(grant: ShareGrant, ttlSeconds: number, now = Date.now()): { token: string; expiresAt: Date } {
    const ttl = Math.min(ttlSeconds, this.config.SHARE_MAX_TTL_SECONDS);
    const expiresAt = new Date((Math.floor(now / 1000) + ttl) * 1000);
    return { token: this.signUntil(grant, expiresAt, this.signingKeyId())!, expiresAt };
  }

  /**
   * The token of `grant` until `expiresAt` (whole seconds), signed with key `keyId`; the
   * same every time, so a listed link's URLs can be shown again. null: that key is gone
   * (retired), and so is every link it signed.
   */
  signUntil(grant: ShareGrant, expiresAt: Date, keyId: string): string | null {
    const key = this.keys.find((k) => k.id === keyId);
    if (!key) return null;
    const expiry = Math.floor(expiresAt.getTime() / 1000);
    let link = grant.link === undefined ? '' : `.${linkField(grant.link)}`;
    if (grant.collection !== undefined) {
      if (grant.link === undefined || grant.share === 'collection') throw new Error('A member grant needs its link');
      link += `.${linkField(grant.collection)}`;
    }
    return `${key.id}.${expiry.toString(36)}.${grant.epoch.toString(36)}${link}.${this.mac(key, grant, expiry).toString('base64url')}`;
  }

  /**
   * The grant of `token` for the resource the path names, or a 403 problem: malformed,
   * unknown key, a signature for anything else (another resource, expiry or epoch), expired.
   */
  verify(
    token: string,
    share: ShareGrant['share'],
    id: string,
    now = Date.now(),
  ): { grant: ShareGrant; expiresAt: Date; keyId: string } {
    const match = TOKEN.exec(token);
    const key = match && this.keys.find((k) => k.id === match[1]);
    if (!match || !key) throw invalid();
    const expiry = parseInt(match[2], 36);
    const grant: ShareGrant = { share, id, epoch: parseInt(match[3], 36) };
    if (match[4] !== undefined) grant.link = linkId(match[4]);
    // A collection names its members, not itself.
    if (match[5] !== undefined) {
      if (share === 'collection') throw invalid();
      grant.collection = linkId(match[5]);
    }
    // One spelling per token: no leading zeros, the link's id spelled as we spell it, and the
    // signature compared as text (decoding would ignore the last character's spare bits, so
    // several spellings would pass).
    if (expiry.toString(36) !== match[2] || grant.epoch.toString(36) !== match[3]) throw invalid();
    if (grant.link !== undefined && linkField(grant.link) !== match[4]) throw invalid();
    if (grant.collection !== undefined && linkField(grant.collection) !== match[5]) throw invalid();
    const given = Buffer.from(match[6]);
    // The signature of fields that passed before is remembered (a viewer sends the same token
    // with every tile); the comparison itself stays constant-time either way.
    const signed = `${share}s/${id}\n${match[1]}.${match[2]}.${match[3]}.${match[4] ?? ''}.${match[5] ?? ''}`;
    const known = this.verified.get(signed);
    const expected = known ?? Buffer.from(this.mac(key, grant, expiry).toString('base64url'));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    if (!known) this.verified.set(signed, expected);
    if (expiry * 1000 <= now) {
      const expiredAt = new Date(expiry * 1000).toISOString();
      throw new HttpProblem(403, 'SHARE_LINK_EXPIRED', 'This share link has expired; ask the owner for a new one.', {
        expiredAt,
      });
    }
    return { grant, expiresAt: new Date(expiry * 1000), keyId: key.id };
  }

  private mac(key: ShareKey, grant: ShareGrant, expiry: number): Buffer {
    return createHmac('sha256', key.secret)
      .update(
        `${SHARE_LINK_PURPOSE}\n${grant.share}s/${grant.id}\n${expiry}\n${grant.epoch}` +
          (grant.link === undefined ? '' : `\n${grant.link}`) +
          (grant.collection === undefined ? '' : `\ncollections/${grant.collection}`),
      )
      .digest()
      .subarray(0, MAC_BYTES);
  }
}

const invalid = () =>
  new HttpProblem(403, 'SHARE_LINK_INVALID', 'This share link is not valid (mistyped or altered?).');

/** A listed link's id (a UUID) in a token: its 16 bytes, base64url. */
const linkField = (id: string) => Buffer.from(id.replaceAll('-', ''), 'hex').toString('base64url');
const linkId = (field: string) =>
  Buffer.from(field, 'base64url')
    .toString('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
