import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { ifNoneMatch } from './conditional.js';

/**
 * Sends a JSON-LD document (IIIF info.json, Presentation resources): `application/ld+json`
 * with its context as profile when the client asks for it (Accept), else plain JSON, as the
 * IIIF specifications recommend (so it varies by Accept), with a strong ETag and 304 on
 * If-None-Match. Written as is: Express' send would add a charset to the JSON-LD media type.
 */
export function sendJsonLd(req: Request, res: Response, document: object, context: string, cacheControl: string): void {
  const jsonLd = /application\/ld\+json/.test(req.headers.accept ?? '');
  const body = Buffer.from(JSON.stringify(document));
  const type = jsonLd ? `application/ld+json;profile="${context}"` : 'application/json';
  // A strong validator of these very bytes (the media type differs with Accept: so does the tag).
  const etag = `"${createHash('sha256').update(type).update('\n').update(body).digest('base64url')}"`;
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('Vary', 'Accept');
  res.setHeader('ETag', etag);
  if (ifNoneMatch(req.headers['if-none-match'], etag)) {
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', String(body.length));
  res.end(body);
}
