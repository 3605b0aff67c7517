import type { JobPolicies } from '#shared-kernel';

/** Makes one rendition. */
export const RENDER_RENDITION_JOB = 'renditions.render';

declare module '#shared-kernel' {
  interface JobMap {
    'renditions.render': { renditionId: string };
  }
}

/** The queue policies of the renditions jobs. */
export function renditionJobPolicies(settings: { renderTimeoutSeconds: number }): JobPolicies {
  return {
    // One job per rendition; a run is lost after twice the longest a render may take.
    'renditions.render': { singleton: true, timeoutSeconds: 2 * settings.renderTimeoutSeconds + 60 },
  };
}
