import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiResponse } from '@nestjs/swagger';
import { TILE_CONTENT_TYPES } from '#tiles';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import type { ProblemCode } from '../http/problem/error-status.js';
import { ThrottleCategory } from '../http/throttling/throttle-category.js';
import { IiifInfoDto, SphereDescriptorDto } from './dto/iiif.dto.js';
import { TileManifestDto } from './dto/tile-manifest.dto.js';
import { TileSetShareDto, TileSetShareListDto } from '../share/dto/share-link.dto.js';
import type { ShareRouteSpec } from '../share/share-link-routes.js';

/*
 * The documentation of each read route of a tile set, shared by its two ways in: bearer
 * token (/v1/tilesets/{id}/...) and share link (/v1/s/{token}/tilesets/{id}/...), which adds
 * its own problem codes.
 */

const READY = ['VALIDATION_FAILED', 'TILE_SET_NOT_FOUND', 'TILE_SET_NOT_READY'] as const;

export const DocManifest = (...extra: ProblemCode[]) =>
  applyDecorators(
    ApiOperation({
      summary: 'Levels, sizes and tile URLs of a ready tile set (with ?tiles=true, every tile and its SHA-256)',
    }),
    ApiOkResponse({ type: TileManifestDto }),
    ApiProblems(...READY, ...extra),
  );

export const DocSphere = (...extra: ProblemCode[]) =>
  applyDecorators(
    ApiOperation({
      summary: 'Sphere descriptor: the levels Photo Sphere Viewer (equirectangular tiles adapter) reads',
      description:
        'For the tile set of layout `sphere` that every 360° panorama gets. Give `levels` and `baseUrl` to the adapter, ' +
        'and `tileUrl: (col, row, i) => tileUrlTemplate` filled with `levels[i].level`, col and row. Any other tile ' +
        'set: 409 NOT_A_SPHERE.',
    }),
    ApiOkResponse({ type: SphereDescriptorDto }),
    ApiProblems(...READY, 'NOT_A_SPHERE', ...extra),
  );

export const DocDeepZoom = (...extra: ProblemCode[]) =>
  applyDecorators(
    ThrottleCategory('tiles'),
    ApiOperation({
      summary: 'Deep Zoom descriptor (DZI)',
      description:
        'Point a Deep Zoom viewer here; it finds the tiles at image_files/{level}/{col}_{row}.{format} beside it.',
    }),
    ApiProduces('application/xml'),
    ApiOkResponse({ description: 'DZI XML.', content: { 'application/xml': { schema: { type: 'string' } } } }),
    ApiProblems(...READY, ...extra),
  );

export const DocTile = (...extra: ProblemCode[]) =>
  applyDecorators(
    ThrottleCategory('tiles'),
    ApiOperation({
      summary: 'One tile',
      description:
        "Strong ETag (the tile's SHA-256), immutable caching, 304 on If-None-Match. Coordinates outside the pyramid: a " +
        'cacheable 404. A tile set not ready yet: 409.',
    }),
    ApiParam({
      name: 'level',
      schema: { type: 'string', pattern: '^\\d{1,3}$' },
      description: 'Pyramid level; level 0 is one pixel.',
      example: '12',
    }),
    ApiParam({
      name: 'tile',
      schema: { type: 'string', pattern: '^\\d{1,7}_\\d{1,7}\\.(jpeg|png|webp)$' },
      description: '{col}_{row}.{format}, as the DZI names tiles.',
      example: '3_2.jpeg',
    }),
    ApiOkResponse({
      description: 'The tile.',
      content: Object.fromEntries(
        Object.values(TILE_CONTENT_TYPES).map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
      ),
    }),
    ApiResponse({ status: 304, description: 'Not modified.' }),
    ApiProblems(...READY, 'TILE_NOT_FOUND', 'STORAGE_UNAVAILABLE', ...extra),
  );

export const DocArchive = (...extra: ProblemCode[]) =>
  applyDecorators(
    ApiOperation({
      summary: 'The whole tile set as a zip (image.dzi + image_files/...)',
      description:
        'Streamed as it is read from storage: never built in memory or on disk. Tiles are stored uncompressed (they ' +
        'already are).',
    }),
    ApiProduces('application/zip'),
    ApiOkResponse({
      description: 'zip archive.',
      content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
    }),
    ApiProblems(...READY, 'STORAGE_UNAVAILABLE', ...extra),
  );

export const DocIiifBase = (...extra: ProblemCode[]) =>
  applyDecorators(
    ApiOperation({
      summary: 'IIIF Image API base URI: redirects to info.json',
      description: 'A 303 to `{base}/info.json`, as the IIIF Image API 3.0 asks of a base URI.',
    }),
    ApiResponse({ status: 303, description: 'See info.json.' }),
    ApiProblems(...extra),
  );

export const DocIiifInfo = (...extra: ProblemCode[]) =>
  applyDecorators(
    ThrottleCategory('tiles'),
    ApiOperation({
      summary: 'IIIF Image API 3.0 image information (info.json), compliance level 2',
      description:
        'Give this URL to any IIIF viewer. `id` is the base URI as reached (PUBLIC_BASE_URL when set). JSON-LD ' +
        '(`application/ld+json` with the IIIF context profile) when the Accept header asks for it.',
    }),
    ApiProduces('application/json', 'application/ld+json'),
    ApiOkResponse({ type: IiifInfoDto }),
    ApiProblems(...READY, ...extra),
  );

export const DocIiifImage = (...extra: ProblemCode[]) =>
  applyDecorators(
    ThrottleCategory('tiles'),
    ApiOperation({
      summary: 'IIIF Image API 3.0 image request: {region}/{size}/{rotation}/{quality}.{format}',
      description:
        'Rendered from the pyramid: the smallest level detailed enough, only the tiles covering the region. A request ' +
        'naming a stored tile exactly (tile sets without overlap) answers that tile (same bytes and ETag). Limits, checked ' +
        'before any pixel is read: maxWidth/maxHeight/maxArea of info.json for the answer turned by its rotation, and ' +
        'IIIF_MAX_READ_PIXELS for what it reads (a size that changes the aspect ratio reads the region at the detail of its ' +
        'more demanding axis): larger is 400 INVALID_IIIF_REQUEST. A render runs at most IIIF_TIMEOUT_SECONDS ' +
        '(IIIF_RENDER_TIMEOUT) and stops when its client goes away; a server whose renders and waiting line are full ' +
        'answers 503 SERVER_BUSY with Retry-After.',
    }),
    ApiParam({
      name: 'region',
      schema: { type: 'string' },
      description: 'full | square | x,y,w,h | pct:x,y,w,h',
      example: 'full',
    }),
    ApiParam({
      name: 'size',
      schema: { type: 'string' },
      description: 'max | w, | ,h | pct:n | w,h | !w,h, each optionally after ^ (upscaling)',
      example: '512,',
    }),
    ApiParam({
      name: 'rotation',
      schema: { type: 'string' },
      description: 'Degrees clockwise (0-360), after ! to mirror first',
      example: '0',
    }),
    ApiParam({
      name: 'qualityFormat',
      schema: { type: 'string' },
      description: '{default|color|gray|bitonal}.{jpg|png|webp}',
      example: 'default.jpg',
    }),
    ApiOkResponse({
      description: 'The image.',
      content: Object.fromEntries(
        ['image/jpeg', 'image/png', 'image/webp'].map((type) => [
          type,
          { schema: { type: 'string', format: 'binary' } },
        ]),
      ),
    }),
    ApiResponse({ status: 304, description: 'Not modified.' }),
    ApiProblems(
      ...READY,
      'INVALID_IIIF_REQUEST',
      'STORAGE_UNAVAILABLE',
      'IIIF_RENDER_TIMEOUT',
      'SERVER_BUSY',
      ...extra,
    ),
  );

/** The share-link routes of a tile set (see ShareRoute). */
export const TILE_SET_SHARES: ShareRouteSpec = {
  path: ':id',
  notFound: 'TILE_SET_NOT_FOUND',
  dto: TileSetShareDto,
  listDto: TileSetShareListDto,
  docs: {
    create: {
      summary: 'Make a share link: read access to this tile set, without a token, until it expires',
      description:
        'Answers absolute URLs (PUBLIC_BASE_URL when set) of the Deep Zoom descriptor, the IIIF base URI, the IIIF ' +
        'Presentation manifest and the archive under a signed path prefix that viewers keep when they derive tile URLs. ' +
        'The link is listed (listTileSetShares) with its label and last use, and can be revoked alone ' +
        '(revokeTileSetShare) or with every other (revokeTileSetShares). Owners only.',
    },
    list: {
      summary: "This tile set's active share links",
      description:
        'Listed links that are neither revoked nor expired, newest first, with their label, expiry, last use (to the ' +
        'minute) and URLs. Unlisted links (listed: false) are not here. Owners only.',
    },
    label: { summary: 'Label a share link of this tile set', description: 'Owners only.' },
    revoke: {
      summary: 'Revoke one share link of this tile set',
      description: 'The others keep working. Takes effect on every API instance within moments. Owners only.',
    },
    revokeAll: {
      summary: 'Revoke every share link of this tile set',
      description:
        'Listed and unlisted. Takes effect on every API instance within moments. Links made afterwards work. Owners only.',
    },
  },
};
