import type { JobPolicies } from '#shared-kernel';

/** Finishes a deletion: removes the stored objects and then the rows. Idempotent. */
export const PURGE_PANORAMA_JOB = 'panoramas.purge';

declare module '#shared-kernel' {
  interface JobMap {
    'panoramas.purge': { panoramaId: string };
  }
}

/** The queue policies of the panoramas jobs. */
export const PANORAMA_JOB_POLICIES: JobPolicies = {
  // One purge per panorama, retried with backoff while storage is away.
  'panoramas.purge': { singleton: true, timeoutSeconds: 3_600 },
};
