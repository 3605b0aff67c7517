import { applyDecorators, Delete, Get, HttpCode, HttpStatus, Injectable, Patch, Post, type Type } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { Request } from 'express';
import { type ShareKind, ShareLinksUseCase } from '#sharing';
import type { Principal } from '#users';
import type { ProblemCode } from '../http/problem/error-status.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import type {
  CollectionShareDto,
  CreateListedShareDto,
  CreateShareDto,
  RenditionShareDto,
  TileSetShareDto,
} from './dto/share-link.dto.js';
import { listedLink, type MadeShareLink, ShareLinkAnswers } from './share-link-answers.js';
import { ShareLinks } from './share-links.js';

/** The answer for a share link of this kind. */
export type ShareDtoOf<K extends ShareKind> = K extends 'tileset'
  ? TileSetShareDto
  : K extends 'rendition'
    ? RenditionShareDto
    : CollectionShareDto;

/**
 * The owner's share-link routes (make, list, label, revoke one, revoke all), the same for
 * every derived image that can be shared: what they do, once. Each controller keeps only
 * its paths, operation names and words (see ShareRoute).
 */
@Injectable()
export class ShareLinkRoutes {
  constructor(
    private readonly sharing: ShareLinksUseCase,
    private readonly links: ShareLinks,
    private readonly answers: ShareLinkAnswers,
  ) {}

  async create<K extends ShareKind>(
    kind: K,
    principal: Principal,
    id: string,
    body: CreateShareDto | CreateListedShareDto,
    req: Request,
  ): Promise<ShareDtoOf<K>> {
    const made = await this.sharing.create(principal, kind, id, { ...body, keyId: this.links.signingKeyId() });
    // Made just now with the signing key: it cannot have been retired.
    return this.answer(kind, made, req)!;
  }

  async list<K extends ShareKind>(
    kind: K,
    principal: Principal,
    id: string,
    req: Request,
  ): Promise<{ items: ShareDtoOf<K>[] }> {
    const links = await this.sharing.list(principal, kind, id);
    // A link whose key was retired no longer works: not listed.
    return { items: links.flatMap((link) => this.answer(kind, listedLink(link), req) ?? []) };
  }

  async relabel<K extends ShareKind>(
    kind: K,
    principal: Principal,
    id: string,
    linkId: string,
    label: string | null,
    req: Request,
  ): Promise<ShareDtoOf<K>> {
    const link = await this.sharing.relabel(principal, kind, id, linkId, label);
    return this.answer(kind, listedLink(link), req)!;
  }

  revoke(kind: ShareKind, principal: Principal, id: string, linkId: string): Promise<void> {
    return this.sharing.revoke(principal, kind, id, linkId);
  }

  revokeAll(kind: ShareKind, principal: Principal, id: string): Promise<void> {
    return this.sharing.revokeAll(principal, kind, id);
  }

  private answer<K extends ShareKind>(kind: K, made: MadeShareLink, req: Request): ShareDtoOf<K> | null {
    const answer =
      kind === 'tileset'
        ? this.answers.tileSet(made, req)
        : kind === 'rendition'
          ? this.answers.rendition(made, req)
          : this.answers.collection(made, req);
    return answer as ShareDtoOf<K> | null;
  }
}

type Words = { summary: string; description: string };

/** What the share-link routes of one kind of resource say and where they live. */
export interface ShareRouteSpec {
  /** The resource's path under its controller (`:id`, `renditions/:id`). */
  path: string;
  /** Its not-found problem code. */
  notFound: ProblemCode;
  /** The answer of one link, and of a list. */
  dto: Type<unknown>;
  listDto: Type<unknown>;
  docs: Record<'create' | 'list' | 'label' | 'revoke' | 'revokeAll', Words>;
}

/** The decorators of each share-link route (path, status, OpenAPI operation and problems). */
export const ShareRoute = {
  create: (spec: ShareRouteSpec) =>
    applyDecorators(
      Post(`${spec.path}/share`),
      HttpCode(HttpStatus.OK),
      ApiOperation(spec.docs.create),
      ApiOkResponse({ type: spec.dto }),
      ApiProblems('VALIDATION_FAILED', spec.notFound, 'SHARE_LINK_LIMIT_REACHED'),
    ),
  list: (spec: ShareRouteSpec) =>
    applyDecorators(
      Get(`${spec.path}/shares`),
      ApiOperation(spec.docs.list),
      ApiOkResponse({ type: spec.listDto }),
      ApiProblems('VALIDATION_FAILED', spec.notFound),
    ),
  label: (spec: ShareRouteSpec) =>
    applyDecorators(
      Patch(`${spec.path}/shares/:linkId`),
      ApiOperation(spec.docs.label),
      ApiOkResponse({ type: spec.dto }),
      ApiProblems('VALIDATION_FAILED', spec.notFound, 'SHARE_LINK_NOT_FOUND'),
    ),
  revoke: (spec: ShareRouteSpec) =>
    applyDecorators(
      Delete(`${spec.path}/shares/:linkId`),
      HttpCode(HttpStatus.NO_CONTENT),
      ApiOperation(spec.docs.revoke),
      ApiNoContentResponse({ description: 'Revoked.' }),
      ApiProblems('VALIDATION_FAILED', spec.notFound, 'SHARE_LINK_NOT_FOUND'),
    ),
  revokeAll: (spec: ShareRouteSpec) =>
    applyDecorators(
      Delete(`${spec.path}/share`),
      HttpCode(HttpStatus.NO_CONTENT),
      ApiOperation(spec.docs.revokeAll),
      ApiNoContentResponse({ description: 'Revoked.' }),
      ApiProblems('VALIDATION_FAILED', spec.notFound),
    ),
};
