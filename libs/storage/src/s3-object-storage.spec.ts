import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { StorageUnavailableError } from '#shared-kernel';
import { objectStorageContract, startS3Server, type TestS3Server } from '#testing';
import { S3ObjectStorage } from './s3-object-storage.js';
import type { S3Settings } from './s3-settings.js';

/** The S3 adapter against a real S3-compatible server (s3rver) on loopback: no mocked SDK. */
let server: TestS3Server;
beforeAll(async () => {
  server = await startS3Server();
});
afterAll(() => server?.dispose());

const settings = (overrides: Partial<S3Settings> = {}): S3Settings => ({
  bucket: `tessera-${randomBytes(4).toString('hex')}`,
  region: 'us-east-1',
  endpoint: server.endpoint,
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
  keyPrefix: 'tessera/',
  forcePathStyle: true,
  createBucket: true,
  partSizeBytes: 5 * 1024 * 1024,
  publishConcurrency: 8,
  ...overrides,
});

objectStorageContract('S3 (s3rver)', async () => {
  const storage = new S3ObjectStorage(settings());
  await storage.checkHealth(); // creates the bucket
  return { storage, dispose: async () => undefined };
});

describe('S3ObjectStorage specifics', () => {
  it('fails its health check with a clear message when the bucket is missing and may not be created', async () => {
    const storage = new S3ObjectStorage(settings({ createBucket: false, bucket: 'tessera-missing-bucket' }));
    await expect(storage.checkHealth()).rejects.toThrow(
      'S3 bucket "tessera-missing-bucket" does not exist. Create it, or set S3_CREATE_BUCKET=true.',
    );
  });

  it('uploads large streams as multipart and records the SHA-256 as metadata', async () => {
    const storage = new S3ObjectStorage(settings());
    await storage.checkHealth();
    const data = randomBytes(12 * 1024 * 1024);
    const { sha256, bytes } = await storage.put(
      'originals/u/p/original.tif',
      Readable.from([data.subarray(0, 7_000_000), data.subarray(7_000_000)]),
    );
    expect(bytes).toBe(data.length);
    expect(await storage.stat('originals/u/p/original.tif')).toMatchObject({
      bytes: data.length,
      sha256,
      contentType: 'image/tiff',
    });
  });

  it('aborts a multipart upload whose source fails after some parts went up: no object appears', async () => {
    const storage = new S3ObjectStorage(settings());
    await storage.checkHealth();
    let sent = 0;
    const failing = new Readable({
      read() {
        if (sent >= 12 * 1024 * 1024) return this.destroy(new Error('client went away'));
        sent += 1024 * 1024;
        this.push(randomBytes(1024 * 1024));
      },
    });
    await expect(storage.put('originals/u/p/original.tif', failing)).rejects.toThrow('client went away');
    expect(await storage.stat('originals/u/p/original.tif')).toBeNull();
  });

  it('keeps keys under its prefix (a shared bucket stays tidy)', async () => {
    const storage = new S3ObjectStorage(settings());
    await storage.checkHealth();
    await storage.put('a/b.json', Readable.from([Buffer.from('{}')]));
    const items = [];
    for await (const item of storage.list('a/')) items.push(item.key);
    expect(items).toEqual(['a/b.json']);
  });

  it('reports an unreachable server as StorageUnavailableError', async () => {
    const storage = new S3ObjectStorage(settings({ endpoint: 'http://127.0.0.1:9', bucket: 'tessera-nowhere' }));
    await expect(storage.stat('a/b.json')).rejects.toBeInstanceOf(StorageUnavailableError);
  });
});
