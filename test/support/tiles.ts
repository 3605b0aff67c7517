import { createHash } from 'node:crypto';
import sharp from 'sharp';
import yauzl from 'yauzl';
import { levelGeometry, levelCount, tileBounds, type PyramidSpec } from '#tiles';

export interface TileSetEvent {
  event: string;
  data: { status: string; progress: number; errorCode: string | null };
}

/** Reads a Server-Sent Events stream to its end (or until `timeoutMs`), returning every event. */
export async function followEvents(url: string, token: string, timeoutMs = 60_000): Promise<TileSetEvent[]> {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status !== 200) throw new Error(`events answered ${response.status}: ${await response.text()}`);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const lines = block.split('\n');
      const event =
        lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim() ?? 'message';
      const data = JSON.parse(
        lines
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('\n'),
      );
      return { event, data };
    });
}

/**
 * Rebuilds the full-resolution level from its tiles (`fetchTile(col, row)`), cutting away
 * each tile's overlap, as a viewer shows it. Returns raw RGBA pixels, copied row by row
 * (no compositing, which would premultiply alpha and round).
 */
export async function stitchTopLevel(
  spec: PyramidSpec,
  fetchTile: (col: number, row: number) => Promise<Buffer>,
): Promise<Buffer> {
  const top = levelCount(spec.width, spec.height) - 1;
  const level = levelGeometry(spec, top);
  const canvas = Buffer.alloc(level.width * level.height * 4);
  for (let row = 0; row < level.rows; row++) {
    for (let col = 0; col < level.cols; col++) {
      const bounds = tileBounds(spec, top, col, row);
      const { data, info } = await sharp(await fetchTile(col, row))
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([bounds.width, bounds.height]);
      // The tile's own area starts `overlap` pixels in, except on the first row/column.
      const left = col === 0 ? 0 : spec.overlap;
      const topEdge = row === 0 ? 0 : spec.overlap;
      const width = Math.min(spec.tileSize, level.width - col * spec.tileSize);
      const height = Math.min(spec.tileSize, level.height - row * spec.tileSize);
      for (let y = 0; y < height; y++) {
        const from = ((topEdge + y) * info.width + left) * 4;
        const to = ((row * spec.tileSize + y) * level.width + col * spec.tileSize) * 4;
        data.copy(canvas, to, from, from + width * 4);
      }
    }
  }
  return canvas;
}

export async function rawRgba(image: Buffer): Promise<Buffer> {
  return sharp(image).ensureAlpha().raw().toBuffer();
}

/** Peak signal-to-noise ratio of two equal-sized 8-bit RGBA buffers, over RGB. */
export function psnr(a: Buffer, b: Buffer): number {
  expect(a.length).toBe(b.length);
  let squared = 0;
  let count = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const d = a[i + c] - b[i + c];
      squared += d * d;
      count++;
    }
  }
  const mse = squared / count;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

export const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Every entry of a zip: name -> contents. */
export function unzip(data: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error('no zip'));
      const entries = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error('no entry stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}
