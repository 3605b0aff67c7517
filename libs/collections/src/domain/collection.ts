import { DERIVATIVE_STATUSES, type DerivativeStatus } from '#shared-kernel';

/** Collections one user may have, and panoramas one collection may hold (bounded counts). */
export const MAX_COLLECTIONS_PER_USER = 1_000;
export const MAX_PANORAMAS_PER_COLLECTION = 10_000;
/** Panoramas one add or remove request may name. */
export const MAX_PANORAMAS_PER_CHANGE = 500;

export interface CollectionProps {
  id: string;
  ownerId: string;
  name: string;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A named group of one owner's panoramas (a panorama can be in several). */
export class Collection {
  constructor(readonly props: CollectionProps) {}

  get id() {
    return this.props.id;
  }
}

export type StatusCounts = Record<DerivativeStatus, number>;

/** Where a collection stands: its panoramas and their derived images by status. */
export interface CollectionStatus {
  collectionId: string;
  panoramas: number;
  tileSets: StatusCounts;
  renditions: StatusCounts;
  /** 0..1: the mean progress of every tile set and rendition (finished ones count 1). */
  progress: number;
  /** Nothing queued or processing, and at least one panorama. */
  complete: boolean;
  /** When `collection.completed` was last raised (null: never). */
  completedAt: Date | null;
  /** When anything deciding completion last changed (a member added, a derived image finished). */
  changedAt: Date;
  /** When this status was read (live streams never go back to an older one). */
  updatedAt: Date;
}

const pendingOf = (counts: StatusCounts) => counts.queued + counts.processing;
const countsOf = (found: Partial<StatusCounts>): StatusCounts =>
  Object.fromEntries(DERIVATIVE_STATUSES.map((status) => [status, found[status] ?? 0])) as StatusCounts;

/**
 * A collection's status from what was counted (a status nobody has is absent): complete when
 * it has panoramas and nothing of theirs is queued or processing.
 */
export function collectionStatus(counted: {
  collectionId: string;
  panoramas: number;
  tileSets: Partial<StatusCounts>;
  renditions: Partial<StatusCounts>;
  progress: number;
  completedAt: Date | null;
  changedAt: Date;
}): CollectionStatus {
  const tileSets = countsOf(counted.tileSets);
  const renditions = countsOf(counted.renditions);
  return {
    ...counted,
    tileSets,
    renditions,
    progress: counted.panoramas === 0 ? 0 : Number(counted.progress.toFixed(4)),
    complete: counted.panoramas > 0 && pendingOf(tileSets) + pendingOf(renditions) === 0,
    updatedAt: new Date(),
  };
}

/**
 * Whether `collection.completed` is due: complete, nothing changed for `settleSeconds` (a
 * batch still arriving is not yet complete), and not raised since the last change.
 */
export function completionDue(status: CollectionStatus, now: Date, settleSeconds: number): 'due' | 'later' | 'no' {
  if (!status.complete) return 'no';
  if (status.completedAt && status.completedAt >= status.changedAt) return 'no';
  return now.getTime() - status.changedAt.getTime() >= settleSeconds * 1000 ? 'due' : 'later';
}
