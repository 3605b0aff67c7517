import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { Panorama } from '#panoramas';
import { type ByteRange, type ObjectRead, RangeNotSatisfiableError } from '#shared-kernel';
import { ifNoneMatch } from '../http/conditional.js';

/** RFC 6266 Content-Disposition with an ASCII fallback and the UTF-8 name. */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Streams an original with conditional and range support: ETag = its SHA-256 (strong),
 * 304 on If-None-Match, one byte range per request (206; several ranges get the whole
 * file), If-Range honoured, 416 with Content-Range for ranges outside the file.
 */
export async function sendOriginal(req: Request, res: Response, panorama: Panorama, read: (range?: ByteRange) => Promise<ObjectRead>): Promise<void> {
  const etag = `"${panorama.sha256}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', 'private, max-age=0, must-revalidate');
  if (ifNoneMatch(req.headers['if-none-match'], etag)) {
    res.status(304).end();
    return;
  }

  let range: ByteRange | undefined;
  const ifRange = req.headers['if-range'];
  if (req.headers.range && (ifRange === undefined || ifRange === etag)) {
    const parsed = req.range(panorama.bytes, { combine: true });
    if (parsed === -1) {
      res.setHeader('Content-Range', `bytes */${panorama.bytes}`);
      throw new RangeNotSatisfiableError(panorama.bytes);
    }
    if (Array.isArray(parsed) && parsed.type === 'bytes' && parsed.length === 1) range = { start: parsed[0]!.start, end: parsed[0]!.end };
  }

  const object = await read(range);
  res.status(range ? 206 : 200);
  res.setHeader('Content-Type', panorama.contentType());
  res.setHeader('Content-Disposition', contentDisposition(panorama.originalFilename));
  res.setHeader('Content-Length', String(range ? range.end - range.start + 1 : object.bytes));
  if (range) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${object.bytes}`);
  if (req.method === 'HEAD') {
    object.body.destroy();
    res.end();
    return;
  }
  try {
    await pipeline(object.body, res);
  } catch {
    // The client went away or storage failed mid-stream: the status line is gone; the
    // connection is cut (pipeline destroyed it). Nothing to answer.
  }
}
