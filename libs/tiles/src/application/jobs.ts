import type { JobPolicies } from '#shared-kernel';

/** The job that cuts a tile set. */
export const GENERATE_TILE_SET_JOB = 'tiles.generate';
/** The scheduled integrity sample (INTEGRITY_SAMPLE_CRON). */
export const SAMPLE_TILE_INTEGRITY_JOB = 'tiles.integrity-sample';

declare module '#shared-kernel' {
  interface JobMap {
    'tiles.generate': { tileSetId: string };
    'tiles.integrity-sample': { tiles: number };
  }
}

/** The queue policies of the tiles jobs. */
export function tileJobPolicies(settings: { tilingTimeoutSeconds: number }): JobPolicies {
  return {
    // One job per tile set; a run is lost after twice the longest a cut may take.
    'tiles.generate': { singleton: true, timeoutSeconds: 2 * settings.tilingTimeoutSeconds + 300 },
    // The next tick samples again: no retries.
    'tiles.integrity-sample': { singleton: false, timeoutSeconds: 3_600, retryLimit: 0 },
  };
}
