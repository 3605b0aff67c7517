import { Injectable, Logger } from '@nestjs/common';
import {
  ChangeFeed,
  Clock,
  DerivativeAccess,
  DerivativeJobs,
  type DerivativeKind,
  DerivativeShares,
  DerivativeWatch,
  JobQueue,
  type RecordObserver,
} from '#shared-kernel';
import type { TileSet } from '../domain/tile-set.js';
import { TileSetNotFoundError } from '../domain/tiles.errors.js';
import { GENERATE_TILE_SET_JOB } from './jobs.js';
import { TileSetRepository } from './ports/tile-set.repository.port.js';
import { ReadyTileSets } from './ready-tile-sets.service.js';

/**
 * A tile set as a derived image: the shared services of `#shared-kernel`'s
 * derivative-services bound to tile sets' repository, words and job.
 */
export const TILE_SET_KIND: DerivativeKind = {
  share: 'tileset',
  channel: 'tilesets',
  job: (id) => ({ name: GENERATE_TILE_SET_JOB, payload: { tileSetId: id } }),
  notFound: () => new TileSetNotFoundError(),
};

export type TileSetObserver = RecordObserver<TileSet>;

/** Missing and someone else's look the same: TileSetNotFoundError. Admins may read all. */
@Injectable()
export class TileSetAccess extends DerivativeAccess<TileSet> {
  constructor(tileSets: TileSetRepository) {
    super(tileSets, TILE_SET_KIND);
  }
}

/** Share links of a tile set; a revocation also drops it from this process's ready cache. */
@Injectable()
export class TileSetSharesUseCase extends DerivativeShares<TileSet> {
  constructor(access: TileSetAccess, tileSets: TileSetRepository, ready: ReadyTileSets, clock: Clock) {
    super(access, tileSets, clock, TILE_SET_KIND, (id) => ready.evict(id));
  }
}

/** Live tile sets for progress streams. */
@Injectable()
export class TileSetWatch extends DerivativeWatch<TileSet> {
  constructor(tileSets: TileSetRepository, changes: ChangeFeed) {
    const logger = new Logger(TileSetWatch.name);
    super(tileSets, changes, TILE_SET_KIND, (error, id) =>
      logger.warn({ err: error, tileSetId: id }, 'Reading a watched tile set failed'),
    );
  }
}

/** Cutting jobs: the one place that sends them, and the start-up requeue of queued tile sets. */
@Injectable()
export class TileSetJobs extends DerivativeJobs<TileSet> {
  constructor(tileSets: TileSetRepository, queue: JobQueue) {
    super(tileSets, queue, TILE_SET_KIND);
  }
}
