import { S3DirectUploads } from './s3-direct-uploads.js';
import type { S3Settings } from './s3-settings.js';

/** Presigning is local (no server): where the URLs point, and what they bind. */
const settings = (over: Partial<S3Settings> = {}): S3Settings => ({
  bucket: 'tessera-photos',
  region: 'eu-west-3',
  accessKeyId: 'AKIAEXAMPLE',
  secretAccessKey: 'secret-for-signing-only',
  keyPrefix: 'tessera/',
  forcePathStyle: false,
  createBucket: false,
  partSizeBytes: 16 * 1024 * 1024,
  publishConcurrency: 4,
  ...over,
});

const sign = (uploads: S3DirectUploads) =>
  uploads.signParts('uploads/u/x', 'upload-id-1', [{ partNumber: 2, bytes: 1234 }], 600);

describe('S3DirectUploads', () => {
  it('signs each part for its exact length, at the public endpoint when there is one', async () => {
    const uploads = new S3DirectUploads(
      settings({ endpoint: 'http://minio:9000', forcePathStyle: true }),
      'http://localhost:9000',
    );
    const [part] = await sign(uploads);
    const url = new URL(part.url);
    expect(part).toMatchObject({ partNumber: 2, bytes: 1234 });
    expect(url.origin).toBe('http://localhost:9000');
    expect(url.pathname).toBe('/tessera-photos/tessera/uploads/u/x');
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('content-length');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('600');
    expect(url.searchParams.get('partNumber')).toBe('2');
    expect(url.searchParams.get('uploadId')).toBe('upload-id-1');
    expect(uploads.origins).toEqual(['http://localhost:9000']);
  });

  it.each([false, true])('names in its origins where AWS URLs point (path style %p)', async (forcePathStyle) => {
    const uploads = new S3DirectUploads(settings({ forcePathStyle }));
    const [part] = await sign(uploads);
    expect(uploads.origins).toContain(new URL(part.url).origin);
  });
});
