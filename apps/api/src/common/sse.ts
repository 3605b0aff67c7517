import type { MessageEvent } from '@nestjs/common';
import { distinctUntilChanged, map, Observable, takeWhile } from 'rxjs';
import type { RecordObserver } from '#shared-kernel';

/** text/event-stream as OpenAPI can say it: lines of `event:` and `data:` (JSON). */
export const SSE_SCHEMA = {
  type: 'string',
  description: 'Server-Sent Events (text/event-stream); each event has `event: <name>` and `data: <JSON>`.',
  example: 'event: progress\ndata: {"id":"…","status":"processing","progress":0.42}\n\n',
} as const;

/** A record with a lifecycle that ends in `ready` or `failed` (tile sets, renditions). */
interface Finishing {
  status: string;
  isFinished(): boolean;
}

/**
 * A record's changes as Server-Sent Events: one event per change that `same` does not call
 * equal, `progress` until it finishes, then one event named after its final status, and the
 * stream ends (also when the record is deleted).
 */
export function statusEvents<T extends Finishing>(
  watch: (observer: RecordObserver<T>) => () => void,
  same: (a: T, b: T) => boolean,
  toDto: (record: T) => object,
): Observable<MessageEvent> {
  const changes = new Observable<T>((subscriber) =>
    watch({
      next: (record) => subscriber.next(record),
      gone: () => subscriber.complete(),
      error: (error) => subscriber.error(error),
    }),
  );
  return changes.pipe(
    distinctUntilChanged(same),
    takeWhile((record) => !record.isFinished(), true),
    map((record) => ({ type: record.isFinished() ? record.status : 'progress', data: toDto(record) })),
  );
}
