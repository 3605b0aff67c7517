import { createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '#config';
import type { ShareGrant } from '#shared-kernel';
import { HttpProblem } from '../http/problem/http-problem.js';

/** Signature length: 16 bytes of HMAC-SHA256 (128 bits), 22 base64url characters. */
const MAC_BYTES = 16;
const TOKEN = /^([a-z0-9]{1,16})\.([0-9a-z]{1,9})\.([0-9a-z]{1,7})\.([A-Za-z0-9_-]{22})$/;
const PURPOSE = 'tessera-share-link/v1';
/** Links remembered as verified (forgotten all at once when full). */
const VERIFIED_MAX = 10_000;

interface ShareKey {
  id: string;
  secret: Buffer;
}

/**
 * Share links: capability URLs whose path carries a token granting read access to one tile
 * set or one rendition until an expiry. token = `{key id}.{expiry}.{epoch}.{mac}` (expiry in
 * Unix seconds and the resource's share epoch in base 36; mac = HMAC-SHA256 over purpose,
 * granted prefix, expiry and epoch, truncated to 128 bits, base64url). Checked in constant
 * time, with no database round trip; the epoch is compared with the resource's own (cached,
 * dropped on every instance when it changes) by the use case.
 *
 * Keys come from SHARE_KEYS (new links signed with the first, any accepted: rotation);
 * without it, one key derived from JWT_SECRET.
 */
@Injectable()
export class ShareLinks {
  private readonly keys: ShareKey[];
  /** Signatures (as text) of links verified lately, by resource and signed fields. */
  private readonly verified = new Map<string, Buffer>();

  constructor(private readonly config: AppConfig) {
    this.keys = config.SHARE_KEYS.length
      ? config.SHARE_KEYS.map((k) => ({ id: k.id, secret: Buffer.from(k.secret) }))
      : [{ id: 'k0', secret: createHmac('sha256', config.JWT_SECRET).update(PURPOSE).digest() }];
  }

  /** A token for `grant`, expiring `ttlSeconds` from now (capped by SHARE_MAX_TTL_SECONDS). */
  sign(grant: ShareGrant, ttlSeconds: number, now = Date.now()): { token: string; expiresAt: Date } {
    const ttl = Math.min(ttlSeconds, this.config.SHARE_MAX_TTL_SECONDS);
    const expiry = Math.floor(now / 1000) + ttl;
    const [key] = this.keys;
    const fields = `${key.id}.${expiry.toString(36)}.${grant.epoch.toString(36)}`;
    return {
      token: `${fields}.${this.mac(key, grant, expiry).toString('base64url')}`,
      expiresAt: new Date(expiry * 1000),
    };
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
  ): { grant: ShareGrant; expiresAt: Date } {
    const match = TOKEN.exec(token);
    const key = match && this.keys.find((k) => k.id === match[1]);
    if (!match || !key) throw invalid();
    const expiry = parseInt(match[2], 36);
    const grant: ShareGrant = { share, id, epoch: parseInt(match[3], 36) };
    // One spelling per token: no leading zeros, and the signature compared as text (decoding
    // would ignore the last character's two spare bits, so four spellings would pass).
    if (expiry.toString(36) !== match[2] || grant.epoch.toString(36) !== match[3]) throw invalid();
    const given = Buffer.from(match[4]);
    // The signature of fields that passed before is remembered (a viewer sends the same token
    // with every tile); the comparison itself stays constant-time either way.
    const signed = `${share}s/${id}\n${match[1]}.${match[2]}.${match[3]}`;
    const known = this.verified.get(signed);
    const expected = known ?? Buffer.from(this.mac(key, grant, expiry).toString('base64url'));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    if (!known) {
      if (this.verified.size >= VERIFIED_MAX) this.verified.clear();
      this.verified.set(signed, expected);
    }
    if (expiry * 1000 <= now) {
      throw new HttpProblem(403, 'SHARE_LINK_EXPIRED', 'This share link has expired; ask the owner for a new one.');
    }
    return { grant, expiresAt: new Date(expiry * 1000) };
  }

  private mac(key: ShareKey, grant: ShareGrant, expiry: number): Buffer {
    return createHmac('sha256', key.secret)
      .update(`${PURPOSE}\n${grant.share}s/${grant.id}\n${expiry}\n${grant.epoch}`)
      .digest()
      .subarray(0, MAC_BYTES);
  }
}

const invalid = () =>
  new HttpProblem(403, 'SHARE_LINK_INVALID', 'This share link is not valid (mistyped or altered?).');
