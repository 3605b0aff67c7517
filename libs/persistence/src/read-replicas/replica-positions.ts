/** A WAL position as PostgreSQL prints it ('16/B374D848'), as a number of bytes. */
export function parseLsn(text: string): bigint {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(text);
  if (!match) throw new Error(`Not a WAL position: ${text}`);
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

/** Why a read that could have gone to a replica went to the primary. */
export type FallbackReason =
  /** No replica answered its last check. */
  | 'down'
  /** Every replica that answers is further behind than the maximum lag. */
  | 'lagging'
  /** A replica is within the lag, but not past a write this read must see (read-your-own-writes). */
  | 'recent_write';

export interface ReplicaStatus {
  name: string;
  /** Answered its last check as a standby. */
  up: boolean;
  /** Seconds of writes it may be missing (an upper bound); undefined while down or never measured. */
  lagSeconds: number | undefined;
}

interface Sample {
  /** Local clock, read just before the primary was asked. */
  at: number;
  lsn: bigint;
}

interface Replica {
  name: string;
  up: boolean;
  /**
   * Every write the primary had made by this time (local clock) has been replayed: the time of
   * the newest primary sample whose position the replica has reached.
   */
  consistentAsOf: number | undefined;
}

/**
 * How far behind each replica is, from positions alone (no clock of the servers involved):
 * the monitor samples the primary's WAL insert position with the local time taken before
 * asking, then each replica's replayed position. A replica that has replayed past a sample
 * holds every write committed before that sample was taken, so its staleness is at most the
 * sample's age. Unlike `now() - pg_last_xact_replay_timestamp()`, this does not grow while
 * the primary is idle, and does not read 0 while a replica is cut off from its primary.
 */
export class ReplicaPositions {
  private readonly replicas: Replica[];
  private samples: Sample[] = [];
  private next = 0;

  constructor(
    names: string[],
    private readonly maxLagMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.replicas = names.map((name) => ({ name, up: false, consistentAsOf: undefined }));
  }

  /** The primary had written up to `lsn` by `at` (read before asking it). */
  primaryAt(at: number, lsn: bigint): void {
    this.samples.push({ at, lsn });
    // Samples older than twice the maximum lag decide nothing: a replica behind them is skipped.
    const horizon = this.now() - 2 * this.maxLagMs;
    while (this.samples.length > 1 && this.samples[0].at < horizon) this.samples.shift();
  }

  /** Replica `index` answered as a standby that has replayed up to `replayed`. */
  replicaAt(index: number, replayed: bigint): void {
    const replica = this.replicas[index];
    let reached: number | undefined;
    for (const sample of this.samples) if (sample.lsn <= replayed) reached = sample.at;
    replica.up = true;
    // Positions only grow: an older bound still holds when the samples that gave it are gone.
    replica.consistentAsOf = Math.max(reached ?? -Infinity, replica.consistentAsOf ?? -Infinity);
    if (replica.consistentAsOf === -Infinity) replica.consistentAsOf = undefined;
  }

  /** Replica `index` did not answer, or is not a standby. */
  replicaDown(index: number): void {
    const replica = this.replicas[index];
    replica.up = false;
    replica.consistentAsOf = undefined;
  }

  isUp(index: number): boolean {
    return this.replicas[index].up;
  }

  status(): ReplicaStatus[] {
    const now = this.now();
    return this.replicas.map(({ name, up, consistentAsOf }) => ({
      name,
      up,
      lagSeconds: up && consistentAsOf !== undefined ? Math.max(0, now - consistentAsOf) / 1000 : undefined,
    }));
  }

  /**
   * A replica for a read that must see every write made by `notBefore` (local clock;
   * undefined: none in particular), taking turns among those that qualify; or why none does.
   */
  choose(notBefore?: number): { index: number } | { fallback: FallbackReason } {
    const withinLag = this.now() - this.maxLagMs;
    const fresh = Math.max(withinLag, notBefore ?? -Infinity);
    const count = this.replicas.length;
    let reason: FallbackReason = 'down';
    for (let i = 0; i < count; i++) {
      const index = (this.next + i) % count;
      const { up, consistentAsOf } = this.replicas[index];
      if (!up) continue;
      if (consistentAsOf === undefined || consistentAsOf < withinLag) {
        reason = reason === 'recent_write' ? reason : 'lagging';
        continue;
      }
      if (consistentAsOf < fresh) {
        reason = 'recent_write';
        continue;
      }
      this.next = (index + 1) % count;
      return { index };
    }
    return { fallback: reason };
  }
}
