import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { assertReadable, ChangeFeed, Metrics, ObjectStorage, type Reader } from '#shared-kernel';
import type { ManifestTile, TileManifest } from '../domain/manifest.js';
import type { TileSet } from '../domain/tile-set.js';
import { TileSetNotFoundError, TileSetNotReadyError } from '../domain/tiles.errors.js';
import { TileSetRepository } from './ports/tile-set.repository.port.js';
import { readManifest } from './read-manifest.js';

export interface ReadyTileSet {
  tileSet: TileSet;
  manifest: TileManifest;
  /** Tile path -> size and checksum. */
  tiles: Map<string, ManifestTile>;
}

const TTL_MS = 60_000;
const MAX_ENTRIES = 64;

/**
 * Ready tile sets with their manifests, cached in memory: a ready tile set does not change,
 * so tile requests (the hot path) need neither a database round trip nor a manifest read
 * per tile. Any change of a tile set, in any process (deleted, marked failed by an integrity
 * check), reaches this cache at once through the change feed; entries also expire after a
 * minute, and at most 64 are kept, least recently used first out.
 */
@Injectable()
export class ReadyTileSets implements OnModuleInit, OnModuleDestroy {
  private readonly cache = new LRUCache<string, { entry: Promise<ReadyTileSet>; expires: number }>({
    max: MAX_ENTRIES,
  });
  private unsubscribe?: () => void;

  constructor(
    private readonly tileSets: TileSetRepository,
    private readonly storage: ObjectStorage,
    private readonly changes: ChangeFeed,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.changes.subscribe('tilesets', (id) =>
      id === undefined ? this.cache.clear() : this.evict(id),
    );
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /**
   * The ready tile set if `reader` may read it; TileSetNotFoundError / TileSetNotReadyError /
   * ShareLinkRevokedError otherwise. A share link's epoch is checked against the cached
   * record, which every instance drops as soon as the epoch changes (change feed).
   */
  async forReader(reader: Reader, id: string): Promise<ReadyTileSet> {
    const ready = await this.get(id);
    assertReadable(reader, 'tileset', ready.tileSet, () => new TileSetNotFoundError());
    return ready;
  }

  evict(id: string): void {
    this.cache.delete(id);
  }

  /** The ready tile set, whoever asks (access is forActor's business). */
  async get(id: string): Promise<ReadyTileSet> {
    const hit = this.cache.get(id);
    this.metrics.count('tile_cache_lookups', { result: hit && hit.expires > Date.now() ? 'hit' : 'miss' });
    if (hit && hit.expires > Date.now()) return hit.entry;
    const entry = this.load(id);
    const cached = { entry, expires: Date.now() + TTL_MS };
    this.cache.set(id, cached);
    // Failures are not cached (the tile set may become ready any moment).
    entry.catch(() => this.cache.peek(id) === cached && this.cache.delete(id));
    return entry;
  }

  private async load(id: string): Promise<ReadyTileSet> {
    const tileSet = await this.tileSets.findById(id);
    if (!tileSet) throw new TileSetNotFoundError();
    if (tileSet.status !== 'ready') throw new TileSetNotReadyError(tileSet.status);
    // The row's id: the caller's may be the same UUID in upper case (a storage key is lower-case).
    const manifest = await readManifest(this.storage, tileSet.id);
    // Ready without a manifest: deleted behind our back; to clients it is gone.
    if (!manifest) throw new TileSetNotFoundError();
    return { tileSet, manifest, tiles: new Map(manifest.tiles.map((t) => [t.path, t])) };
  }
}
