import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import http from 'node:http';
import pg from 'pg';
import type { TesseraClient } from '#client';

export interface UploadOptions {
  filename?: string;
  contentType?: string;
  fields?: Record<string, string | number>;
}

/** POST /v1/panoramas through the generated client, as multipart/form-data. */
export function upload(client: TesseraClient, bytes: Buffer, options: UploadOptions = {}) {
  const form = new FormData();
  for (const [name, value] of Object.entries(options.fields ?? {})) form.append(name, String(value));
  form.append(
    'file',
    new Blob([new Uint8Array(bytes)], { type: options.contentType ?? 'application/octet-stream' }),
    options.filename ?? 'panorama.jpg',
  );
  return client.POST('/v1/panoramas', {
    body: form as never,
    bodySerializer: (body: unknown) => body as FormData,
  });
}

export type Part =
  { name: string; value: string } | { name: string; filename: string; contentType?: string; data: Buffer };

/** Builds a multipart body by hand (so tests can also build broken ones). */
export function multipartBody(parts: Part[], boundary = `----tessera${randomBytes(8).toString('hex')}`) {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('data' in part) {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.contentType ?? 'application/octet-stream'}\r\n\r\n`,
        ),
      );
      chunks.push(part.data, Buffer.from('\r\n'));
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/**
 * Sends a raw request with node:http (any headers, any body). `pieces` sends the body in
 * separate writes `pauseMs` apart instead (how a slow network delivers it); what the server
 * refuses to read after answering is dropped.
 */
export function rawRequest(
  baseUrl: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: Buffer; pieces?: Buffer[]; pauseMs?: number },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}${path}`, { method: init.method ?? 'POST', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(text);
        } catch {
          body = { text };
        }
        resolve({ status: res.statusCode ?? 0, headers, body });
      });
    });
    if (!init.pieces) {
      req.on('error', reject);
      req.end(init.body);
      return;
    }
    req.on('error', () => undefined); // EPIPE/ECONNRESET once the server stopped reading
    const pieces = [...init.pieces];
    const next = () => {
      const piece = pieces.shift();
      if (piece === undefined) return req.end();
      req.write(piece, () => setTimeout(next, init.pauseMs ?? 100));
    };
    next();
  });
}

/**
 * Starts an upload, sends `sendBytes` of the body, then drops the connection (a client that
 * disconnects mid-upload). Resolves once the socket is closed.
 */
export function abortedUpload(
  baseUrl: string,
  token: string,
  body: Buffer,
  contentType: string,
  sendBytes: number,
): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(`${baseUrl}/v1/panoramas`, {
      agent: false, // a connection of its own (the server sees it open and close)
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType, 'content-length': String(body.length) },
    });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write(body.subarray(0, sendBytes), () => setTimeout(() => req.destroy(), 100));
  });
}

/** Every file below `dir` (relative paths), including dot files. */
export async function filesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => `${e.parentPath}/${e.name}`.slice(dir.length + 1));
  } catch {
    return [];
  }
}

/**
 * The originals stored under `dir` (an owner's folder): not the preset renditions that
 * workers make beside them as soon as an upload lands (picked up at once, so they may
 * already be there when a test looks).
 */
export async function originalsIn(dir: string): Promise<string[]> {
  return (await filesIn(dir)).filter((file) => !file.includes('/renditions/'));
}

/**
 * What requests left in the upload temp directory: staged uploads and the compress route's
 * scratch. Not the scratch of rendition jobs running in the background (presets of earlier
 * uploads), which is named `rendition-*` and removed by the job itself.
 */
export async function tempFilesIn(dir: string): Promise<string[]> {
  return (await filesIn(dir)).filter((name) => !name.startsWith('rendition-'));
}

/** Row counts of one owner's panoramas and tile sets, straight from PostgreSQL. */
export async function rowsOf(databaseUrl: string, ownerId: string): Promise<{ panoramas: number; tileSets: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const panoramas = await client.query('select count(*)::int as n from panoramas where owner_id = $1', [ownerId]);
    const tileSets = await client.query('select count(*)::int as n from tile_sets where owner_id = $1', [ownerId]);
    return { panoramas: panoramas.rows[0].n, tileSets: tileSets.rows[0].n };
  } finally {
    await client.end();
  }
}

export const sha256 = async (data: ArrayBuffer | Buffer) =>
  (await import('node:crypto'))
    .createHash('sha256')
    .update(Buffer.from(data as ArrayBuffer))
    .digest('hex');
