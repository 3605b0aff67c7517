import { decodeCursor, encodeCursor, InvalidCursorError, toPage } from '#shared-kernel';

describe('cursor pagination', () => {
  it('round-trips a position', () => {
    const position = { createdAt: new Date('2026-03-04T05:06:07.089Z'), id: '9b2d3f6e-1c1a-4f7e-8d55-7c1a2b3c4d5e' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each([
    '',
    'garbage',
    Buffer.from('not-a-date|id').toString('base64url'),
    Buffer.from('2026-01-01T00:00:00Z|a|b').toString('base64url'),
    Buffer.from('2026-01-01T00:00:00Z|not-a-uuid').toString('base64url'),
  ])('rejects the malformed cursor %p', (cursor) => expect(() => decodeCursor(cursor)).toThrow(InvalidCursorError));

  it('gives a next cursor only when the extra row exists', () => {
    const rows = [1, 2, 3].map((n) => ({
      createdAt: new Date(n * 1000),
      id: `00000000-0000-4000-8000-00000000000${n}`,
    }));
    expect(toPage(rows, 3).nextCursor).toBeNull();
    const page = toPage(rows, 2);
    expect(page.items).toHaveLength(2);
    expect(decodeCursor(page.nextCursor!)).toEqual({ createdAt: new Date(2000), id: rows[1].id });
  });
});
