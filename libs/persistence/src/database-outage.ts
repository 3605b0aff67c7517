import { Injectable, Logger } from '@nestjs/common';

/**
 * One story per database outage in the logs, however many requests, jobs and reconnects
 * fail meanwhile: a warning when the first failure is seen, one line when it is over (with
 * how long it lasted and how many failures were not logged), nothing in between.
 * Recovery is reported by whoever first succeeds again (the change feed's reconnect, a
 * queue operation).
 */
@Injectable()
export class DatabaseOutage {
  private readonly logger = new Logger('Database');
  private since?: number;
  private suppressed = 0;

  get ongoing(): boolean {
    return this.since !== undefined;
  }

  failed(error: unknown): void {
    if (this.since !== undefined) {
      this.suppressed++;
      return;
    }
    this.since = Date.now();
    this.suppressed = 0;
    const { message } = (error ?? {}) as { message?: unknown };
    const reason = typeof message === 'string' ? message : String(error);
    this.logger.warn(`The database is unavailable (${reason}); further failures are counted until it is back`);
  }

  recovered(): void {
    if (this.since === undefined) return;
    const seconds = ((Date.now() - this.since) / 1000).toFixed(1);
    this.logger.log(`The database is available again after ${seconds} s (${this.suppressed} more failures not logged)`);
    this.since = undefined;
  }
}
