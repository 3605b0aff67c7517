import { type Actor, canRead, canWrite, type ShareGrant } from './actor.js';
import type { ChangeChannel, ChangeFeed } from './change-feed.port.js';
import { ChangeWatcher, type RecordObserver } from './change-watcher.js';
import type { Clock } from './clock.port.js';
import type { JobQueue, QueuedJob } from './job-queue.port.js';

/**
 * The services every derived image (a tile set, a rendition) needs around its lifecycle,
 * written once: access, share links, live watching, its job's enqueueing and the start-up
 * requeue. Each noun binds them to its own repository, words and job (a `DerivativeKind`)
 * in a subclass of a few lines that Nest can inject, and keeps only what is its own.
 */

/** What the services read and write of a noun's repository. */
export interface DerivativeStore<D> {
  findById(id: string): Promise<D | null>;
  /** Still queued (for re-enqueueing after a crash between commit and enqueue). */
  findQueued(limit: number): Promise<D[]>;
  /** Revokes every share link made before; false if there is no such record. */
  raiseShareEpoch(id: string, at: Date): Promise<boolean>;
}

/** A noun's words: how its share links, change-feed channel, job and missing records are named. */
export interface DerivativeKind {
  share: ShareGrant['share'];
  channel: ChangeChannel;
  /** The job that makes the record `id` (its name and payload, as the consumer reads it). */
  job(id: string): QueuedJob;
  /** Missing and someone else's look the same. */
  notFound(): Error;
}

/** The fields the services rely on. */
export interface DerivedRecord {
  id: string;
  ownerId: string;
  shareEpoch: number;
  updatedAt: Date;
}

/** Loads a derived image for an actor: missing and someone else's end in the noun's not-found error. */
export class DerivativeAccess<D extends DerivedRecord> {
  constructor(
    protected readonly store: Pick<DerivativeStore<D>, 'findById'>,
    protected readonly kind: Pick<DerivativeKind, 'notFound'>,
  ) {}

  readable(actor: Actor, id: string): Promise<D> {
    return this.load(id, (derivative) => canRead(actor, derivative));
  }

  writable(actor: Actor, id: string): Promise<D> {
    return this.load(id, (derivative) => canWrite(actor, derivative));
  }

  /** The record if `allowed`; a noun may also require more (a rendition, its panorama). */
  protected async load(id: string, allowed: (derivative: D) => boolean): Promise<D> {
    const derivative = await this.store.findById(id);
    if (!derivative || !allowed(derivative)) throw this.kind.notFound();
    return derivative;
  }
}

/**
 * Share links of a derived image: what a new link grants (the HTTP edge signs it), and
 * revoking every link at once by raising its share epoch. Owners only.
 */
export class DerivativeShares<D extends DerivedRecord> {
  constructor(
    private readonly access: Pick<DerivativeAccess<D>, 'writable'>,
    private readonly store: Pick<DerivativeStore<D>, 'raiseShareEpoch'>,
    private readonly clock: Clock,
    private readonly kind: Pick<DerivativeKind, 'share' | 'notFound'>,
    /** After a revocation, for this process's caches (other processes hear it from the change feed). */
    private readonly revoked: (id: string) => void = () => undefined,
  ) {}

  async grant(actor: Actor, id: string): Promise<ShareGrant> {
    const derivative = await this.access.writable(actor, id);
    return { share: this.kind.share, id, epoch: derivative.shareEpoch };
  }

  async revokeAll(actor: Actor, id: string): Promise<void> {
    await this.access.writable(actor, id);
    if (!(await this.store.raiseShareEpoch(id, this.clock.now()))) throw this.kind.notFound();
    this.revoked(id);
  }
}

/** Live derived images for progress and status streams (see ChangeWatcher). */
export class DerivativeWatch<D extends DerivedRecord> {
  private readonly watcher: ChangeWatcher<D>;

  constructor(
    store: Pick<DerivativeStore<D>, 'findById'>,
    changes: ChangeFeed,
    kind: Pick<DerivativeKind, 'channel'>,
    onReadError: (error: unknown, id: string) => void,
  ) {
    this.watcher = new ChangeWatcher(changes, kind.channel, (id) => store.findById(id), onReadError);
  }

  /** Nest calls it on shutdown. */
  onModuleDestroy(): void {
    this.watcher.close();
  }

  /** Calls `observer` with the record now and on every change; returns the unwatch. */
  watch(id: string, observer: RecordObserver<D>): () => void {
    return this.watcher.watch(id, observer);
  }
}

/** Most queued records the start-up requeue sends jobs for in one pass. */
const REQUEUE_BATCH = 10_000;

/** A derived image's job: sending it, and the start-up requeue. */
export class DerivativeJobs<D extends DerivedRecord> {
  constructor(
    private readonly store: Pick<DerivativeStore<D>, 'findQueued'>,
    private readonly queue: JobQueue,
    private readonly kind: Pick<DerivativeKind, 'job'>,
  ) {}

  /** Sends the job; the singleton key (the record's id) makes a repeat harmless. */
  async enqueue(id: string): Promise<void> {
    const job = this.kind.job(id);
    await this.queue.enqueue(job.name, job.payload, { ...job.options, singletonKey: id });
  }

  /**
   * Start-up reconciliation: a record committed as queued whose job was never sent (the
   * process died between commit and enqueue) gets its job; a no-op for those whose job waits.
   */
  async requeueQueued(): Promise<number> {
    const queued = await this.store.findQueued(REQUEUE_BATCH);
    for (const derivative of queued) await this.enqueue(derivative.id);
    return queued.length;
  }
}
