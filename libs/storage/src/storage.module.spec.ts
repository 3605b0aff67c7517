import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { loadConfig } from '#config';
import { NoMetrics } from '#shared-kernel';
import { LocalObjectStorage } from './local-object-storage.js';
import { MeteredObjectStorage } from './metered-object-storage.js';
import { objectStorageFor } from './storage.module.js';

/** STORAGE_LOCAL_READS reaches the local driver the module builds (each mode's reads: the storage contract). */
describe('the ObjectStorage the storage module builds', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'tessera-storage-module-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const build = (reads?: string) =>
    objectStorageFor(
      loadConfig({ STORAGE_LOCAL_ROOT: root, ...(reads ? { STORAGE_LOCAL_READS: reads } : {}) }),
      new NoMetrics(),
    );
  const driver = (storage: unknown) => {
    expect(storage).toBeInstanceOf(MeteredObjectStorage);
    const inner = (storage as MeteredObjectStorage).inner;
    expect(inner).toBeInstanceOf(LocalObjectStorage);
    return inner as LocalObjectStorage;
  };

  it('reads tiles in the event loop unless told otherwise', async () => {
    expect(driver(await build()).reads).toBe('blocking');
    expect(driver(await build('blocking')).reads).toBe('blocking');
    // Blocking: the file is read before readAll returns, so removing it right after changes nothing.
    const storage = await build();
    await storage.put('tilesets/t/0/0_0.jpeg', Readable.from([Buffer.from('tile')]));
    const reading = storage.readAll('tilesets/t/0/0_0.jpeg');
    rmSync(storage.localPath('tilesets/t/0/0_0.jpeg')!);
    expect(String(await reading)).toBe('tile');
  });

  it('reads them on the thread pool with STORAGE_LOCAL_READS=threadpool', async () => {
    expect(driver(await build('threadpool')).reads).toBe('threadpool');
  });
});
