import type { Request, Response } from 'express';

/**
 * Sends a JSON-LD document (IIIF info.json, Presentation resources): `application/ld+json`
 * with its context as profile when the client asks for it (Accept), else plain JSON, as the
 * IIIF specifications recommend. Written as is: Express' send would add a charset to the
 * JSON-LD media type.
 */
export function sendJsonLd(req: Request, res: Response, document: object, context: string, cacheControl: string): void {
  const jsonLd = /application\/ld\+json/.test(req.headers.accept ?? '');
  const body = Buffer.from(JSON.stringify(document));
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('Content-Type', jsonLd ? `application/ld+json;profile="${context}"` : 'application/json');
  res.setHeader('Content-Length', String(body.length));
  res.end(body);
}
