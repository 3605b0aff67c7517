import { partSizeFor, partsOf } from './direct-uploads.js';

const MiB = 1024 * 1024;

describe('direct upload parts', () => {
  it.each([1, 5 * MiB, 16 * MiB, 16 * MiB + 1, 1024 ** 3, 64 * 1024 ** 3 - 7])(
    'cover %i bytes exactly, in at most 10,000 parts of whole MiB (all but the last the same size)',
    (bytes) => {
      const partBytes = partSizeFor(bytes, 16 * MiB);
      expect(partBytes % MiB).toBe(0);
      expect(partBytes).toBeGreaterThanOrEqual(16 * MiB);
      const parts = partsOf({ bytes, partBytes });
      expect(parts.length).toBeLessThanOrEqual(10_000);
      expect(parts.map((p) => p.partNumber)).toEqual(parts.map((_, i) => i + 1));
      expect(parts.reduce((sum, p) => sum + p.bytes, 0)).toBe(bytes);
      expect(parts.slice(0, -1).every((p) => p.bytes === partBytes)).toBe(true);
      expect(parts.at(-1)!.bytes).toBeGreaterThan(0);
      expect(parts.at(-1)!.bytes).toBeLessThanOrEqual(partBytes);
    },
  );

  it('grows the part size past the minimum only when 10,000 parts would not hold the file', () => {
    expect(partSizeFor(10_000 * 16 * MiB, 16 * MiB)).toBe(16 * MiB);
    expect(partSizeFor(10_000 * 16 * MiB + 1, 16 * MiB)).toBe(17 * MiB);
  });
});
