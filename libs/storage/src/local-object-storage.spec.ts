import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { objectStorageContract } from '#testing';
import { BLOCKING_READ_MAX_BYTES, LocalObjectStorage } from './local-object-storage.js';

objectStorageContract('local filesystem', async () => {
  const root = await mkdtemp(join(tmpdir(), 'tessera-storage-'));
  return {
    storage: new LocalObjectStorage(join(root, 'objects')),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
});

// Tiles read on libuv's threads instead of in the event loop (STORAGE_LOCAL_READS=threadpool).
objectStorageContract('local filesystem, reads on the thread pool', async () => {
  const root = await mkdtemp(join(tmpdir(), 'tessera-storage-'));
  return {
    storage: new LocalObjectStorage(join(root, 'objects'), { reads: 'threadpool' }),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
});

describe('LocalObjectStorage specifics', () => {
  let parent: string;
  let storage: LocalObjectStorage;
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'tessera-storage-'));
    storage = new LocalObjectStorage(join(parent, 'objects'));
  });
  afterEach(() => rm(parent, { recursive: true, force: true }));

  it('writes nothing outside its root, even when asked to escape', async () => {
    await writeFile(join(parent, 'secret.txt'), 'do not touch');
    for (const key of ['../secret.txt', 'x/../../secret.txt']) {
      await storage.put(key, Readable.from([Buffer.from('overwritten')])).catch(() => undefined);
      await storage.delete(key).catch(() => undefined);
    }
    expect((await readdir(parent)).sort()).toEqual(['secret.txt']);
  });

  it('reads a file whole on either side of what it reads in the event loop', async () => {
    for (const bytes of [BLOCKING_READ_MAX_BYTES, BLOCKING_READ_MAX_BYTES + 1, 0]) {
      const body = randomBytes(bytes);
      await storage.put('tilesets/t/10/0_0.png', Readable.from([body]));
      expect((await storage.readAll('tilesets/t/10/0_0.png')).equals(body)).toBe(true);
    }
  });

  it('leaves no temp files and no empty directories behind', async () => {
    await storage.put('originals/u/p/original.jpg', Readable.from([Buffer.from('x')]));
    await storage.deletePrefix('originals/u/p/');
    expect(await readdir(storage.root, { recursive: true })).toEqual([]);
  });
});
