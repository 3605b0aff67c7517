import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagesLoadedBy } from '#testing';

/**
 * The API and the worker load the AWS SDK and tus's S3 store only when STORAGE_DRIVER=s3
 * asks for them (about 5 MiB of each process: docs/architecture.md, "Storage, database and jobs").
 * The static graph of either process must not reach them, and the resumable uploads' store
 * (the one factory of the API outside StorageModule that picks by driver) loads them for S3
 * alone. StorageModule's own factories: libs/storage/src/storage.module.spec.ts.
 */
const S3_PACKAGES = /^@aws-sdk\/|^@smithy\/|^@tus\/s3-store$/;

it.each([
  ['the API', 'dist/apps/api/src/app.factory.js', '@nestjs/platform-express'],
  ['the worker', 'dist/apps/worker/src/worker.module.js', 'pg-boss'],
])('%s imports no S3 package', async (_name, module, loadedFor) => {
  const loaded = await packagesLoadedBy(`await import('./${module}');`);
  expect(loaded).toContain(loadedFor);
  expect(loaded.filter((name) => S3_PACKAGES.test(name))).toEqual([]);
});

describe("the resumable uploads' store", () => {
  let directory: string; // tus's file store makes its directory when it is made
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'tessera-tus-'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  const packagesLoadedMaking = (env: Record<string, string>) =>
    packagesLoadedBy(`
const { loadConfig } = await import('#config');
const { tusStorageFor } = await import('./dist/apps/api/src/uploads/tus-storage.provider.js');
await tusStorageFor(loadConfig(${JSON.stringify(env)}), {}, {});
`);

  it('is a directory on local storage, without them', async () => {
    const loaded = await packagesLoadedMaking({
      STORAGE_DRIVER: 'local',
      UPLOAD_RESUMABLE_DIR: join(directory, 'uploads'),
    });
    expect(loaded).toContain('@tus/file-store');
    expect(loaded.filter((name) => S3_PACKAGES.test(name))).toEqual([]);
  });

  it('is the bucket on S3, with them', async () => {
    const loaded = await packagesLoadedMaking({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'tessera',
      S3_ENDPOINT: 'http://127.0.0.1:9',
      S3_FORCE_PATH_STYLE: 'true',
    });
    expect(loaded).toEqual(expect.arrayContaining(['@tus/s3-store', '@aws-sdk/client-s3']));
  });
});
