import type { RenditionPreset } from '#renditions';
import type { JobPolicies } from '#shared-kernel';

/**
 * Asks for the presets an upload picked. Sent in the transaction that commits the panorama,
 * so a process that dies right after the commit cannot lose them.
 */
export const REQUEST_PRESETS_JOB = 'ingest.presets';

declare module '#shared-kernel' {
  interface JobMap {
    /** The presets themselves, not their names: RENDITION_PRESETS may change before it runs. */
    'ingest.presets': { panoramaId: string; ownerId: string; presets: RenditionPreset[] };
  }
}

export const INGEST_JOB_POLICIES: JobPolicies = {
  // One per panorama; it only inserts rows and sends render jobs.
  'ingest.presets': { singleton: true, timeoutSeconds: 120 },
};
