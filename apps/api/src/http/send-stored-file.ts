import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { type ByteRange, type ObjectRead, RangeNotSatisfiableError } from '#shared-kernel';
import { ifNoneMatch } from './conditional.js';

/** RFC 6266 Content-Disposition with an ASCII fallback and the UTF-8 name. */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** A stored file as it is sent. */
export interface StoredFile {
  /** Hex SHA-256 of the content: the strong ETag. */
  sha256: string;
  bytes: number;
  contentType: string;
  /** Offered to save as (Content-Disposition: attachment). */
  filename: string;
  cacheControl: string;
}

/**
 * Streams a stored file (an original, a rendition) with conditional and range support:
 * ETag = its SHA-256 (strong), 304 on If-None-Match, one byte range per request (206;
 * several ranges get the whole file), If-Range honoured, 416 with Content-Range for ranges
 * outside the file.
 */
export async function sendStoredFile(
  req: Request,
  res: Response,
  file: StoredFile,
  read: (range?: ByteRange) => Promise<ObjectRead>,
): Promise<void> {
  const etag = `"${file.sha256}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', file.cacheControl);
  if (ifNoneMatch(req.headers['if-none-match'], etag)) {
    res.status(304).end();
    return;
  }

  let range: ByteRange | undefined;
  const ifRange = req.headers['if-range'];
  if (req.headers.range && (ifRange === undefined || ifRange === etag)) {
    const parsed = req.range(file.bytes, { combine: true });
    if (parsed === -1) {
      res.setHeader('Content-Range', `bytes */${file.bytes}`);
      throw new RangeNotSatisfiableError(file.bytes);
    }
    if (Array.isArray(parsed) && parsed.type === 'bytes' && parsed.length === 1)
      range = { start: parsed[0].start, end: parsed[0].end };
  }

  const object = await read(range);
  res.status(range ? 206 : 200);
  res.setHeader('Content-Type', file.contentType);
  res.setHeader('Content-Disposition', contentDisposition(file.filename));
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
