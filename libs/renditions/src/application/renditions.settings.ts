import type { RenditionPreset } from '../domain/presets.js';

/** What the renditions use cases need from configuration, bound by the module. */
export abstract class RenditionsSettings {
  /** RENDITION_PRESETS: made eagerly for every upload (unless it asks otherwise). */
  abstract readonly presets: readonly RenditionPreset[];
  /** RENDITIONS_PER_PANORAMA. */
  abstract readonly maxPerPanorama: number;
  /** RENDITION_TIMEOUT_SECONDS: the longest a render may take. */
  abstract readonly renderTimeoutSeconds: number;
  /** The synchronous compress route's limits (COMPRESS_*; the side limit is IMAGE_MAX_SIDE). */
  abstract readonly compress: {
    maxBytes: number;
    maxPixels: number;
    maxSide: number;
    timeoutSeconds: number;
    /** Renders at once per process (COMPRESS_CONCURRENCY), and how many may wait and how long (COMPRESS_QUEUE*). */
    concurrency: number;
    queue: number;
    queueSeconds: number;
  };
}
