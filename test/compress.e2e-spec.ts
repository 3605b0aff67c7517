import { execFileSync } from 'node:child_process';
import http from 'node:http';
import sharp from 'sharp';
import { FOREIGN_FILES, makeJpeg, makeNoisyJpeg, pngClaiming } from '#testing';
import { type ApiHarness, expectProblem, rawFetch, startApi } from './support/api-harness.js';
import { filesIn, multipartBody, rowsOf, tempFilesIn } from './support/uploads.js';

/**
 * POST /v1/images/compress: the image back in the response, nothing stored, the upload's
 * rules with their own limits, the work bounded and stopped when the client goes away.
 */
let api: ApiHarness;
let user: Awaited<ReturnType<ApiHarness['userClient']>>;
beforeAll(async () => {
  api = await startApi({
    COMPRESS_MAX_PIXELS: '30000000',
    COMPRESS_MAX_BYTES: '40000000',
    COMPRESS_TIMEOUT_SECONDS: '20',
    // The longest linger: the 40 MB refused below must be read to its 413 on a loaded machine
    // too (CI once cut it after the default 5 s: ECONNRESET instead of the answer).
    HTTP_LINGER_SECONDS: '60',
  });
  user = await api.userClient();
});
afterAll(() => api?.close());

/** As a browser or Swagger UI sends it: Node's fetch with FormData. */
async function compress(image: Buffer, fields: Record<string, string>, filename = 'photo.jpg') {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(image)], { type: 'image/jpeg' }), filename);
  const response = await fetch(`${api.baseUrl}/v1/images/compress`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.accessToken}` },
    body: form,
  });
  const body = Buffer.from(await response.arrayBuffer());
  let json: unknown = undefined;
  try {
    json = JSON.parse(body.toString());
  } catch {
    /* an image */
  }
  return { status: response.status, headers: response.headers, body: json ?? body, bytes: body };
}

/** Resolves once `condition` holds, checking every 50 ms (bounded by the test's own timeout, not a count). */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 50));
}

/** Starts a heavy compression (AVIF at effort 9 of 15 MP: minutes of work) and returns its request. */
async function heavyCompression(baseUrl: string, token: string): Promise<http.ClientRequest> {
  const original = await makeNoisyJpeg(5000, 3000);
  const { body, contentType } = multipartBody([
    { name: 'width', value: '5000' },
    { name: 'format', value: 'avif' },
    { name: 'effort', value: '9' },
    { name: 'file', filename: 'big.jpg', data: original },
  ]);
  const request = http.request(`${baseUrl}/v1/images/compress`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
  });
  request.on('error', () => undefined);
  request.end(body);
  return request;
}

/** Render children of this process (the API runs in it). */
function renderChildren(): number {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes('render-child')).length;
}

describe('POST /v1/images/compress', () => {
  it('answers with a smaller image of the size and format asked for, and the facts in headers', async () => {
    const original = await makeNoisyJpeg(4000, 2000);
    const result = await compress(original, { width: '800', format: 'webp', quality: '60' }, 'alps.jpg');
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe('image/webp');
    expect(result.headers.get('content-disposition')).toMatch(/^inline; filename="alps-800x400.webp"/);
    expect(result.headers.get('cache-control')).toBe('no-store');
    expect(
      Object.fromEntries([...result.headers].filter(([k]) => k.startsWith('x-original') || k.startsWith('x-result'))),
    ).toEqual({
      'x-original-bytes': String(original.length),
      'x-original-width': '4000',
      'x-original-height': '2000',
      'x-original-format': 'jpeg',
      'x-result-bytes': String(result.bytes.length),
      'x-result-width': '800',
      'x-result-height': '400',
    });
    expect(result.bytes.length).toBeLessThan(original.length / 10);
    const metadata = await sharp(result.bytes).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['webp', 800, 400]);
  });

  it('recompresses at the same size when no width or height is given', async () => {
    const original = await makeJpeg(1200, 800, 98);
    const result = await compress(original, { quality: '50' });
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe('image/jpeg');
    expect(result.bytes.length).toBeLessThan(original.length);
    expect([result.headers.get('x-result-width'), result.headers.get('x-result-height')]).toEqual(['1200', '800']);
  });

  it('stores nothing: no object, no row, no temp file', async () => {
    await compress(await makeJpeg(600, 400), { width: '300', format: 'png' });
    expect(await filesIn(api.storageRoot)).toEqual([]);
    expect(await tempFilesIn(api.uploadTmpDir)).toEqual([]);
    expect(await rowsOf(api.db.url, user.id)).toEqual({ panoramas: 0, tileSets: 0 });
  });

  it.each(Object.keys(FOREIGN_FILES))('refuses %s bytes named .jpg with 415', async (kind) => {
    expectProblem(await compress(FOREIGN_FILES[kind], { width: '100' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a header claiming 100000x100000 with 422 at once, and an image over COMPRESS_MAX_PIXELS', async () => {
    expectProblem(await compress(pngClaiming(100_000, 100_000), { width: '100' }), 422, 'IMAGE_TOO_LARGE');
    // 36 MP: a real panorama would be accepted by an upload, not by the compress route (30 MP here).
    const flat = await sharp({ create: { width: 9000, height: 4000, channels: 3, background: '#345' } })
      .jpeg()
      .toBuffer();
    expectProblem(await compress(flat, { width: '100' }), 422, 'IMAGE_TOO_LARGE');
  });

  it('refuses a file over COMPRESS_MAX_BYTES with 413, a truncated image with 422, a bad spec with 400', async () => {
    const big = Buffer.concat([await makeJpeg(200, 100), Buffer.alloc(40_000_001)]);
    expectProblem(await compress(big, { width: '100' }), 413, 'UPLOAD_TOO_LARGE');
    const truncated = (await makeJpeg(2000, 1000)).subarray(0, 20_000);
    expectProblem(await compress(truncated, { width: '100' }), 422, 'RENDER_FAILED');
    expectProblem(
      await compress(await makeJpeg(200, 100), { format: 'webp', effort: '9' }),
      400,
      'INVALID_RENDITION_SPEC',
    );
    expectProblem(await compress(await makeJpeg(200, 100), { width: 'wide' }), 400, 'VALIDATION_FAILED');
    expectProblem(await compress(await makeJpeg(200, 100), { width: '10', format: 'gif' }), 400, 'VALIDATION_FAILED');
    expect(await tempFilesIn(api.uploadTmpDir)).toEqual([]);
  });

  it('stops the work when the client goes away: the render process is killed and no file stays', async () => {
    const request = await heavyCompression(api.baseUrl, user.accessToken);
    // Wait until the render has started, then hang up.
    await until(() => renderChildren() === 1);
    request.destroy();
    await until(() => renderChildren() === 0);
    await until(async () => (await tempFilesIn(api.uploadTmpDir)).length === 0);
  });

  it('needs a token', async () => {
    const response = await rawFetch(api.baseUrl, '/v1/images/compress', { method: 'POST' });
    expectProblem(response, 401, 'AUTHENTICATION_REQUIRED');
  });
});

describe('POST /v1/images/compress, one render at a time (COMPRESS_CONCURRENCY=1, COMPRESS_QUEUE=0)', () => {
  let single: ApiHarness;
  let token: string;
  beforeAll(async () => {
    single = await startApi({ COMPRESS_CONCURRENCY: '1', COMPRESS_QUEUE: '0', COMPRESS_TIMEOUT_SECONDS: '120' });
    token = (await single.userClient()).accessToken;
  });
  afterAll(() => single?.close());

  const small = async () => {
    const form = new FormData();
    form.append('width', '50');
    form.append('file', new Blob([new Uint8Array(await makeJpeg(200, 100))], { type: 'image/jpeg' }), 'a.jpg');
    const response = await fetch(`${single.baseUrl}/v1/images/compress`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    return { response, bytes };
  };

  it('answers 503 SERVER_BUSY with Retry-After while the one render runs, forks nothing more, and serves again once it stops', async () => {
    const heavy = await heavyCompression(single.baseUrl, token);
    try {
      await until(() => renderChildren() === 1);
      const refused = await small();
      expectProblem(
        {
          status: refused.response.status,
          headers: refused.response.headers,
          body: JSON.parse(refused.bytes.toString()),
        },
        503,
        'SERVER_BUSY',
      );
      expect(Number(refused.response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(renderChildren()).toBe(1);
    } catch (error) {
      heavy.destroy();
      throw error;
    }
    heavy.destroy(); // its client leaves: the render is killed and its place freed
    await until(() => renderChildren() === 0);
    const served = await small();
    expect(served.response.status).toBe(200);
    expect((await sharp(served.bytes).metadata()).width).toBe(50);
    await until(async () => (await tempFilesIn(single.uploadTmpDir)).length === 0);
  });
});
