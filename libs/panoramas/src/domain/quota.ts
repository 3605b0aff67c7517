import { QuotaExceededError } from './panoramas.errors.js';

/** Per-user limits: an admin's override, else the configured default. */
export interface Quota {
  maxBytes: number;
  maxPanoramas: number;
}

/**
 * What counts against an owner's quota: panoramas not yet purged, and the bytes of their
 * originals and of their ready renditions.
 */
export interface Usage {
  panoramas: number;
  bytes: number;
}

/**
 * An owner's storage, by kind. `bytes` (originals + renditions) is what the byte quota
 * counts; tiles are shown but not counted (a tile set is derived, re-creatable, and its
 * size is not known until it is cut).
 */
export interface StorageUsage extends Usage {
  originalBytes: number;
  renditionBytes: number;
  tileBytes: number;
}

/** Throws QuotaExceededError unless `usage` plus `adding` stays within `quota`. */
export function assertWithinQuota(quota: Quota, usage: Usage, adding: Usage): void {
  if (usage.panoramas + adding.panoramas > quota.maxPanoramas) {
    throw new QuotaExceededError('panoramas', quota.maxPanoramas, usage.panoramas);
  }
  if (usage.bytes + adding.bytes > quota.maxBytes) throw new QuotaExceededError('bytes', quota.maxBytes, usage.bytes);
}
