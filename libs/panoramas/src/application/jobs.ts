/** Finishes a deletion: removes the stored objects and then the rows. Idempotent. */
export const PURGE_PANORAMA_JOB = 'panoramas.purge';

declare module '#shared-kernel' {
  interface JobMap {
    'panoramas.purge': { panoramaId: string };
  }
}
