import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagesLoadedBy } from '#testing';

/**
 * The API and the worker load the AWS SDK and tus's S3 store only when STORAGE_DRIVER=s3
 * asks for them (about 5 MiB of each process: docs/architecture.md, "Storage, database and
 * jobs"). The static graph of either process must not reach them, and the factories that pick
 * an adapter by driver (StorageModule's two, the resumable uploads' store) load them for S3
 * alone. Each case runs in a fresh Node on the built code and lists the packages it loaded.
 */
const S3_PACKAGES = /^@aws-sdk\/|^@smithy\/|^@tus\/s3-store$/;
const s3Packages = (loaded: string[]) => loaded.filter((name) => S3_PACKAGES.test(name));

it.each([
  ['the API', 'dist/apps/api/src/app.factory.js', '@nestjs/platform-express'],
  ['the worker', 'dist/apps/worker/src/worker.module.js', 'pg-boss'],
])('%s imports no S3 package', async (_name, module, loadedFor) => {
  const loaded = await packagesLoadedBy(`await import('./${module}');`);
  expect(loaded).toContain(loadedFor);
  expect(s3Packages(loaded)).toEqual([]);
});

describe('the storage adapters the API binds', () => {
  let directory: string; // tus's file store makes its directory when it is made
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'tessera-adapters-'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  /** Builds each of them (nothing is contacted: an S3 client connects on its first call). */
  const packagesLoadedBuilding = (env: Record<string, string>) =>
    packagesLoadedBy(`
const { loadConfig } = await import('#config');
const { NoMetrics } = await import('#shared-kernel');
const { objectStorageFor, directUploadStorageFor } = await import('#storage');
const { tusStorageFor } = await import('./dist/apps/api/src/uploads/tus-storage.provider.js');
const config = loadConfig(${JSON.stringify({ UPLOAD_RESUMABLE_DIR: join(directory, 'uploads'), ...env })});
const objects = await objectStorageFor(config, new NoMetrics());
await directUploadStorageFor(config);
await tusStorageFor(config, objects, {});
`);

  it('load no S3 package on local storage', async () => {
    const loaded = await packagesLoadedBuilding({ STORAGE_DRIVER: 'local' });
    expect(loaded).toEqual(expect.arrayContaining(['@nestjs/common', '@tus/file-store'])); // they were built
    expect(s3Packages(loaded)).toEqual([]);
  });

  it('load the SDK and the S3 store on S3', async () => {
    const loaded = await packagesLoadedBuilding({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'tessera',
      S3_ENDPOINT: 'http://127.0.0.1:9',
      S3_FORCE_PATH_STYLE: 'true',
    });
    expect(loaded).toEqual(
      expect.arrayContaining([
        '@aws-sdk/client-s3',
        '@aws-sdk/lib-storage',
        '@aws-sdk/s3-request-presigner',
        '@tus/s3-store',
      ]),
    );
  });
});
