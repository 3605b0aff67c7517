import type { MessageEvent, Type } from '@nestjs/common';
import { getSchemaPath } from '@nestjs/swagger';
import { distinctUntilChanged, map, Observable, takeWhile } from 'rxjs';
import type { RecordObserver } from '#shared-kernel';

/**
 * A text/event-stream answer as generators read it: the schema is that of each event's
 * `data` (a named component), as OpenAPI 3.2's itemSchema says it and as hey-api types its
 * SSE client; the event names are in the description.
 */
export const sseContent = (dto: Type) => ({ 'text/event-stream': { schema: { $ref: getSchemaPath(dto) } } });

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
