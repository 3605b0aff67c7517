import type { NextFunction, Request, Response } from 'express';

/** Where the API's share-link answers live (`/v1/s/{token}/...`). */
export const SHARE_API_PREFIX = '/v1/s/';

/** Headers a page on another site may read from a share answer (ranges, revalidation, retries). */
const EXPOSED = [
  'Accept-Ranges',
  'Content-Disposition',
  'Content-Length',
  'Content-Range',
  'ETag',
  'Last-Modified',
  'Link',
  'Retry-After',
  'X-Request-Id',
].join(', ');

/** Request headers a viewer may send cross-origin (ranged and conditional GETs). */
const ALLOWED_HEADERS = 'Accept, If-Modified-Since, If-None-Match, If-Range, Range';

/**
 * Share-link answers are for every site: a share link is a capability in its URL, no cookie
 * or bearer token is involved, so any page may load them in CORS mode (viewers that ask for
 * `crossOrigin`) and in no-CORS mode (a plain `<img>`, CSS, Leaflet, OpenSeadragon's
 * defaults). helmet's `Cross-Origin-Resource-Policy: same-origin`, right for the owner
 * routes, would make the browser drop every no-CORS load; here it is `cross-origin`, with
 * `Access-Control-Allow-Origin: *` (the same for every origin, so no `Vary: Origin`), and
 * preflights answered for GET and HEAD with ranged and conditional headers. Refusals carry
 * the same headers, so a viewer on another site can read why.
 */
export function embeddableShareAnswers(req: Request, res: Response, next: NextFunction): void {
  if (!req.path.startsWith(SHARE_API_PREFIX)) return next();
  // helmet's page policies (CSP, frame options...) mean nothing for these answers (never
  // HTML); what does is kept: the type as sent.
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED);
  if (req.method !== 'OPTIONS') return next();
  res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD');
  res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
  res.setHeader('Access-Control-Max-Age', '86400');
  res.setHeader('Content-Length', '0');
  res.statusCode = 204;
  res.end();
}
