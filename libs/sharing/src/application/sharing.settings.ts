/** What SharingModule needs from the configuration. */
export abstract class SharingSettings {
  /** Lifetime of a link when the caller names none, and the longest one may have (seconds). */
  abstract readonly defaultTtlSeconds: number;
  abstract readonly maxTtlSeconds: number;
  /** Active listed links one tile set or rendition may have at a time. */
  abstract readonly maxActiveLinks: number;
}
