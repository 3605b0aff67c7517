import type { Quota } from '#panoramas';
import type { Rendition } from '../../domain/rendition.js';

export abstract class RenditionRepository {
  abstract findById(id: string): Promise<Rendition | null>;
  /** Oldest first. */
  abstract findByPanorama(panoramaId: string): Promise<Rendition[]>;
  abstract findByPanoramas(panoramaIds: string[]): Promise<Map<string, Rendition[]>>;
  /**
   * Inserts a rendition unless its panorama has one with the same spec key (then that one,
   * created false). With the panorama's renditions counted under a lock: past `limit`
   * throws RenditionLimitReachedError, also when requests race.
   */
  abstract insertOrGet(rendition: Rendition, limit: number): Promise<{ rendition: Rendition; created: boolean }>;
  /** Ready renditions of every panorama, by id, after `afterId` (for full scans). */
  abstract scanReady(afterId: string | undefined, limit: number): Promise<Rendition[]>;
  /** Renditions still queued (for re-enqueueing after a crash between commit and enqueue). */
  abstract findQueued(limit: number): Promise<Rendition[]>;
  /*
   * Status changes follow RENDITION_TRANSITIONS and answer false (changing nothing) when
   * they no longer apply.
   */
  /** `start`: -> processing. */
  abstract markProcessing(id: string, at: Date): Promise<boolean>;
  /**
   * `finish`: processing -> ready with its file's size and checksum, in one transaction that
   * locks the owner and checks the owner's byte quota with this file counted (as uploads
   * do): throws QuotaExceededError, changing nothing.
   */
  abstract markReady(id: string, file: { bytes: number; sha256: string }, quota: Quota, at: Date): Promise<boolean>;
  /** `fail`: queued|processing -> failed. */
  abstract markFailed(id: string, errorCode: string, at: Date): Promise<boolean>;
  /** `condemn`: ready -> failed (its stored file was found damaged). */
  abstract condemn(id: string, errorCode: string, at: Date): Promise<boolean>;
  /** `requeue`: failed -> queued (its error cleared). */
  abstract requeue(id: string, at: Date): Promise<boolean>;
  /** Raises the share epoch (revokes every share link made before); false if there is no such rendition. */
  abstract raiseShareEpoch(id: string, at: Date): Promise<boolean>;
  /** Removes the row; false if it was already gone. */
  abstract delete(id: string): Promise<boolean>;
}
