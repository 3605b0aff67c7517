import { createSecretKey, type KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '#config';
import { AccessTokens, type IssuedAccessToken, type Principal } from '../application/ports/access-tokens.port.js';
import type { AccessClaims } from '../domain/auth-state.js';
import { ROLES, type Role } from '../domain/role.js';
import { InvalidAccessTokenError } from '../domain/users.errors.js';

/** The one algorithm we sign and accept. `alg: none` and every other value are refused. */
export const ACCESS_TOKEN_ALGORITHM = 'HS256';
/** RFC 9068 media type of JWT access tokens; refresh tokens are opaque and never JWTs. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Verified tokens remembered (a viewer sends one token with every tile). */
const VERIFIED_CAPACITY = 10_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class JwtAccessTokens extends AccessTokens {
  private readonly jwt = new JwtService();
  /**
   * The secret as a key object, made once: given a string, jsonwebtoken first tries to parse
   * it as a public key on every verification (and fails), ~6% of a tile request's CPU.
   */
  private readonly key: KeyObject;
  /**
   * Tokens already verified, by their exact text (same text, same signature), with their
   * expiry; an entry is used only before that. Oldest out first. What a token may do now
   * (revocation, roles) is the access gate's business, after this, on every request.
   */
  private readonly verified = new LRUCache<string, { claims: AccessClaims; exp: number }>({ max: VERIFIED_CAPACITY });

  constructor(private readonly config: AppConfig) {
    super();
    this.key = createSecretKey(Buffer.from(config.JWT_SECRET));
  }

  async issue(principal: Principal): Promise<IssuedAccessToken> {
    const token = await this.jwt.signAsync(
      { role: principal.role, ...(principal.sessionId ? { sid: principal.sessionId } : {}) },
      {
        secret: this.config.JWT_SECRET,
        algorithm: ACCESS_TOKEN_ALGORITHM,
        header: { alg: ACCESS_TOKEN_ALGORITHM, typ: ACCESS_TOKEN_TYPE },
        subject: principal.userId,
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
        expiresIn: this.config.JWT_ACCESS_TTL_SECONDS,
      },
    );
    return { token, expiresInSeconds: this.config.JWT_ACCESS_TTL_SECONDS };
  }

  async verify(token: string): Promise<AccessClaims> {
    const known = this.verified.get(token);
    // jsonwebtoken's rule: expired once the current second reaches exp.
    if (known && Math.floor(Date.now() / 1000) < known.exp) return known.claims;
    if (known) this.verified.delete(token);
    let payload: Record<string, unknown>;
    try {
      const decoded = this.jwt.decode<{ header?: { typ?: string } } | null>(token, { complete: true });
      if (decoded?.header?.typ !== ACCESS_TOKEN_TYPE) throw new InvalidAccessTokenError();
      payload = await this.jwt.verifyAsync(token, {
        secret: this.key as unknown as Buffer, // typed string | Buffer; jsonwebtoken takes a KeyObject
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
      });
    } catch {
      throw new InvalidAccessTokenError();
    }
    // jsonwebtoken checks exp only when present: require it (RFC 8725 §3.10).
    const { sub, role, exp, iat, sid } = payload;
    if (
      typeof exp !== 'number' ||
      typeof iat !== 'number' ||
      typeof sub !== 'string' ||
      !UUID.test(sub) ||
      !ROLES.includes(role as Role) ||
      (sid !== undefined && (typeof sid !== 'string' || !UUID.test(sid)))
    ) {
      throw new InvalidAccessTokenError();
    }
    const claims: AccessClaims = { userId: sub, role: role as Role, sessionId: sid, issuedAt: iat };
    this.verified.set(token, { claims, exp });
    return claims;
  }
}
