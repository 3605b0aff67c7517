import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  SetMetadata,
  applyDecorators,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CollectionMembers } from '#collections';
import { AppConfig } from '#config';
import { type ShareGrant, ShareLinkRevokedError } from '#shared-kernel';
import { RevokedShareLinks, ShareLinkUse } from '#sharing';
import { Public } from '../http/auth/auth.decorators.js';
import { StaleOk } from '../http/read-replicas.interceptors.js';
import { ThrottleCategory } from '../http/throttling/throttle-category.js';
import { ShareLinks } from './share-links.js';

const SHARE_KIND = 'tessera:shareKind';
/** The operation that makes links of each kind. */
const SHARE_OPERATION: Record<ShareGrant['share'], string> = {
  tileset: 'shareTileSet',
  rendition: 'shareRendition',
  collection: 'shareCollection',
};

export interface ShareAccess {
  grant: ShareGrant;
  expiresAt: Date;
  /** The key that signed the token (a collection's members are signed with it too). */
  keyId: string;
  /** How long shared caches may keep answers (SHARE_CACHE_SECONDS; 0: private answers). */
  cacheSeconds: number;
}
type SharedRequest = Request & { shareAccess?: ShareAccess };

/**
 * The routes of a share-link controller (`/v1/s/{token}/{kind}s/{id}/...`): no bearer token;
 * the path's token must grant the path's resource. Every answer, refusals included, may be
 * loaded by any site (embeddableShareAnswers). Anyone with a link: every route is rate-limited
 * like tiles, per client address, and may be read from a replica. Documented under `shared`.
 */
export const SharedResource = (kind: ShareGrant['share']) =>
  applyDecorators(
    ApiTags('shared'),
    ApiParam({
      name: 'token',
      description: `The share token of the link (from ${SHARE_OPERATION[kind]}${kind === 'collection' ? '' : ', or a shared collection'}).`,
      schema: { type: 'string' },
    }),
    Public(),
    SetMetadata(SHARE_KIND, kind),
    UseGuards(ShareLinkGuard),
    ThrottleCategory('tiles'),
    StaleOk(),
  );

/**
 * Share-link verification as a plain service: what a token grants for a resource, or the
 * refusal (expired, revoked, not for this resource, forged, or no longer in the shared
 * collection it was opened through). No database round trip unless the token names a signing
 * key this process has not seen yet, or names a collection whose membership this process has
 * not read since it last changed (CollectionMembers). The guard delegates to it; the tile
 * pipeline calls it.
 */
@Injectable()
export class ShareLinkVerifier {
  constructor(
    private readonly links: ShareLinks,
    private readonly revoked: RevokedShareLinks,
    private readonly use: ShareLinkUse,
    private readonly members: CollectionMembers,
    private readonly config: AppConfig,
  ) {}

  async verify(token: string, kind: ShareGrant['share'], id: string): Promise<ShareAccess> {
    // A key made lately by another process (a rotation): learn it before refusing.
    // Not while the database is away: then the token is judged by the keys already known.
    if (!this.links.knowsKeyOf(token)) await this.links.refresh().catch(() => false);
    const access = { ...this.links.verify(token, kind, id), cacheSeconds: this.config.SHARE_CACHE_SECONDS };
    const link = access.grant.link;
    if (link !== undefined) {
      if (this.revoked.has(link)) throw new ShareLinkRevokedError();
    }
    const collection = access.grant.collection;
    // A member of a shared collection while it is one: taking it out ends what the link opened.
    if (collection !== undefined && kind !== 'collection' && !(await this.members.holds(collection, kind, id))) {
      throw new ShareLinkRevokedError();
    }
    if (link !== undefined) this.use.used(link);
    return access;
  }
}

@Injectable()
export class ShareLinkGuard implements CanActivate {
  constructor(
    private readonly verifier: ShareLinkVerifier,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<SharedRequest>();
    const kind = this.reflector.get<ShareGrant['share']>(SHARE_KIND, context.getClass());
    req.shareAccess = await this.verifier.verify(String(req.params.token), kind, String(req.params.id));
    return true;
  }
}

/** What the share link of this request grants (set by ShareLinkGuard). */
export const CurrentShare = createParamDecorator((_: unknown, ctx: ExecutionContext): ShareAccess => {
  const access = ctx.switchToHttp().getRequest<SharedRequest>().shareAccess;
  if (!access) throw new Error('CurrentShare used outside a SharedResource controller');
  return access;
});

/**
 * Cache-Control for an answer under a share link, never beyond the link's life: `public` for
 * SHARE_CACHE_SECONDS (a shared cache in front may keep it; a revocation reaches it within
 * that), or `private` until the link expires when shared caching is off.
 */
export function shareCacheControl(access: ShareAccess, now = Date.now()): string {
  const remaining = Math.max(0, Math.min(31_536_000, Math.floor((access.expiresAt.getTime() - now) / 1000)));
  return access.cacheSeconds > 0
    ? `public, max-age=${Math.min(access.cacheSeconds, remaining)}`
    : `private, max-age=${remaining}`;
}
