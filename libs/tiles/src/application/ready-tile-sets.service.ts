import { Injectable } from '@nestjs/common';
import { type Actor, canRead, ObjectNotFoundError, ObjectStorage } from '#shared-kernel';
import { manifestKey, type ManifestTile, type TileManifest } from '../domain/manifest.js';
import type { TileSet } from '../domain/tile-set.js';
import { TileSetNotFoundError, TileSetNotReadyError } from '../domain/tiles.errors.js';
import { TileSetRepository } from './ports/tile-set.repository.port.js';

export interface ReadyTileSet {
  tileSet: TileSet;
  manifest: TileManifest;
  /** Tile path -> size and checksum. */
  tiles: Map<string, ManifestTile>;
}

const TTL_MS = 60_000;
const MAX_ENTRIES = 64;

/**
 * Ready tile sets with their manifests, cached in memory: a ready tile set never changes,
 * so tile requests (the hot path) need neither a database round trip nor a manifest read
 * per tile. Entries live a minute (a deletion in another process is seen by then; in this
 * one it evicts at once) and at most 64 are kept, least recently used first out.
 */
@Injectable()
export class ReadyTileSets {
  private readonly cache = new Map<string, { entry: Promise<ReadyTileSet>; expires: number }>();

  constructor(
    private readonly tileSets: TileSetRepository,
    private readonly storage: ObjectStorage,
  ) {}

  /** The ready tile set if `actor` may read it; TileSetNotFoundError / TileSetNotReadyError otherwise. */
  async forActor(actor: Actor, id: string): Promise<ReadyTileSet> {
    const ready = await this.get(id);
    if (!canRead(actor, ready.tileSet)) throw new TileSetNotFoundError();
    return ready;
  }

  evict(id: string): void {
    this.cache.delete(id);
  }

  private async get(id: string): Promise<ReadyTileSet> {
    const hit = this.cache.get(id);
    if (hit && hit.expires > Date.now()) {
      this.cache.delete(id); // re-insert: most recently used last
      this.cache.set(id, hit);
      return hit.entry;
    }
    const entry = this.load(id);
    this.cache.set(id, { entry, expires: Date.now() + TTL_MS });
    while (this.cache.size > MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    // Failures are not cached (the tile set may become ready any moment).
    entry.catch(() => this.cache.delete(id));
    return entry;
  }

  private async load(id: string): Promise<ReadyTileSet> {
    const tileSet = await this.tileSets.findById(id);
    if (!tileSet) throw new TileSetNotFoundError();
    if (tileSet.status !== 'ready') throw new TileSetNotReadyError(tileSet.status);
    let manifest: TileManifest;
    try {
      const { body } = await this.storage.get(manifestKey(id));
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      manifest = JSON.parse(Buffer.concat(chunks).toString('utf8')) as TileManifest;
    } catch (error) {
      // Ready without a manifest: deleted behind our back; to clients it is gone.
      if (error instanceof ObjectNotFoundError) throw new TileSetNotFoundError();
      throw error;
    }
    return { tileSet, manifest, tiles: new Map(manifest.tiles.map((t) => [t.path, t])) };
  }
}
