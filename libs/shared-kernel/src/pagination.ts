import { SharedKernelError } from './domain-error.js';

/**
 * Keyset (cursor) pagination over (createdAt, id), newest first. The cursor is opaque to
 * clients: base64url of the last item's sort key.
 */
export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface CursorPosition {
  createdAt: Date;
  id: string;
}

export class InvalidCursorError extends SharedKernelError {
  readonly code = 'INVALID_CURSOR';
  constructor() {
    super('The pagination cursor is malformed.');
  }
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(`${position.createdAt.toISOString()}|${position.id}`, 'utf8').toString('base64url');
}

/** Every id here is a UUID: a cursor naming anything else is malformed (not a database error). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeCursor(cursor: string): CursorPosition {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const [iso, id, ...rest] = raw.split('|');
  const createdAt = new Date(iso ?? '');
  if (rest.length > 0 || !id || !UUID.test(id) || Number.isNaN(createdAt.getTime())) throw new InvalidCursorError();
  return { createdAt, id };
}

/**
 * Builds a page from `limit + 1` fetched rows: the extra row only tells that more exist.
 * `positionOf` finds an item's sort key when it is not the item's own fields.
 */
export function toPage<T>(
  rows: T[],
  limit: number,
  positionOf: (item: T) => CursorPosition = (item) => item as CursorPosition,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(positionOf(last)) : null };
}
