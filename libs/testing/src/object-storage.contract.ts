import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  InvalidStorageKeyError,
  ObjectNotFoundError,
  type ObjectStorage,
  RangeNotSatisfiableError,
} from '#shared-kernel';

/**
 * The behaviour every ObjectStorage adapter must have. Each adapter's test file calls this
 * with a factory giving a fresh, empty storage on a real backend (a directory, an
 * S3-compatible server): the same tests, whatever is underneath.
 */
export function objectStorageContract(
  name: string,
  create: () => Promise<{ storage: ObjectStorage; dispose: () => Promise<void> }>,
) {
  describe(`ObjectStorage contract: ${name}`, () => {
    let storage: ObjectStorage;
    let dispose: () => Promise<void>;
    let scratch: string;

    beforeEach(async () => {
      ({ storage, dispose } = await create());
      scratch = await mkdtemp(join(tmpdir(), 'tessera-contract-'));
    });
    afterEach(async () => {
      await dispose();
      await rm(scratch, { recursive: true, force: true });
    });

    const text = async (key: string) => {
      const { body } = await storage.get(key);
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    };
    const keys = async (prefix: string) => {
      const found: string[] = [];
      for await (const object of storage.list(prefix)) found.push(object.key);
      return found;
    };

    it('puts a stream and reports its size and SHA-256; gets it back byte for byte', async () => {
      const data = randomBytes(300_000);
      const result = await storage.put(
        'originals/u1/p1/original.jpg',
        Readable.from([data.subarray(0, 1000), data.subarray(1000)]),
      );
      expect(result).toEqual({ bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') });
      expect((await text('originals/u1/p1/original.jpg')).equals(data)).toBe(true);
      expect((await storage.stat('originals/u1/p1/original.jpg'))?.bytes).toBe(data.length);
    });

    it('replaces atomically: a put that fails half-way leaves the previous object whole and no stray object', async () => {
      await storage.put('a/obj.bin', Readable.from([Buffer.from('old content')]));
      const failing = new Readable({
        read() {
          this.push(randomBytes(64 * 1024));
          setImmediate(() => this.destroy(new Error('client went away')));
        },
      });
      await expect(storage.put('a/obj.bin', failing)).rejects.toThrow('client went away');
      expect((await text('a/obj.bin')).toString()).toBe('old content');
      expect(await keys('a/')).toEqual(['a/obj.bin']);
    });

    it('never shows a half-written object to a reader during a put', async () => {
      const slow = new Readable({ read() {} });
      const push = (chunk: Buffer | null) => slow.push(chunk);
      const writing = storage.put('b/obj.bin', slow);
      push(randomBytes(100_000));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await expect(storage.get('b/obj.bin')).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await storage.stat('b/obj.bin')).toBeNull();
      push(null);
      expect((await writing).bytes).toBe(100_000);
    });

    it('imports a local file (the source is consumed)', async () => {
      const source = join(scratch, 'upload.tmp');
      await writeFile(source, 'panorama bytes');
      expect(await storage.importFile('originals/u/p/original.png', source)).toEqual({ bytes: 14 });
      expect((await text('originals/u/p/original.png')).toString()).toBe('panorama bytes');
      await expect(stat(source)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('reads a whole object into memory', async () => {
      await storage.put('tilesets/t1/12/0_0.jpg', Readable.from([Buffer.from('tile '), Buffer.from('bytes')]));
      expect((await storage.readAll('tilesets/t1/12/0_0.jpg')).toString()).toBe('tile bytes');
      await expect(storage.readAll('tilesets/t1/12/9_9.jpg')).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(storage.readAll('tilesets/t1/12')).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it('copies an object inside the storage, with the checksum given', async () => {
      await storage.put('uploads/u/x', Readable.from([Buffer.from('direct bytes')]));
      const sha256 = createHash('sha256').update('direct bytes').digest('hex');
      expect(await storage.copy('uploads/u/x', 'originals/u/p/original.jpg', { sha256 })).toEqual({ bytes: 12 });
      expect((await text('originals/u/p/original.jpg')).toString()).toBe('direct bytes');
      expect((await text('uploads/u/x')).toString()).toBe('direct bytes');
      await expect(storage.copy('uploads/u/missing', 'originals/u/q/original.jpg')).rejects.toBeInstanceOf(
        ObjectNotFoundError,
      );
      expect(await storage.stat('originals/u/q/original.jpg')).toBeNull();
    });

    it('publishes a directory tree under a prefix, lists and deletes by prefix', async () => {
      const dir = join(scratch, 'tiles');
      await mkdir(join(dir, '0'), { recursive: true });
      await mkdir(join(dir, '12'), { recursive: true });
      await writeFile(join(dir, '0', '0_0.jpg'), 'a');
      await writeFile(join(dir, '12', '3_4.jpg'), 'bcd');
      await writeFile(join(dir, 'image.dzi'), '<Image/>');

      expect(await storage.publishDirectory('tilesets/t1/', dir)).toBe(3);
      expect(await storage.stat('tilesets/t1/12/3_4.jpg')).toMatchObject({ bytes: 3 });
      expect(String(await storage.readAll('tilesets/t1/12/3_4.jpg'))).toBe('bcd');
      await storage.put('tilesets/t10/0/0_0.jpg', Readable.from([Buffer.from('other set')]));

      expect(await keys('tilesets/t1/')).toEqual([
        'tilesets/t1/0/0_0.jpg',
        'tilesets/t1/12/3_4.jpg',
        'tilesets/t1/image.dzi',
      ]);
      expect(await storage.deletePrefix('tilesets/t1/')).toBe(3);
      expect(await keys('tilesets/t1/')).toEqual([]);
      expect(await storage.deletePrefix('tilesets/t1/')).toBe(0);
      // A sibling whose name starts the same is untouched.
      expect(await keys('tilesets/t10/')).toEqual(['tilesets/t10/0/0_0.jpg']);
    });

    it('serves byte ranges and refuses ones outside the object', async () => {
      await storage.put('r/obj.bin', Readable.from([Buffer.from('0123456789')]));
      const read = await storage.get('r/obj.bin', { start: 2, end: 5 });
      const chunks: Buffer[] = [];
      for await (const chunk of read.body) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe('2345');
      expect(read).toMatchObject({ bytes: 10, range: { start: 2, end: 5 } });
      await expect(storage.get('r/obj.bin', { start: 5, end: 10 })).rejects.toBeInstanceOf(RangeNotSatisfiableError);
    });

    it('reports missing objects: get throws ObjectNotFoundError, stat is null, delete is quiet', async () => {
      await expect(storage.get('missing/obj.bin')).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await storage.stat('missing/obj.bin')).toBeNull();
      await expect(storage.delete('missing/obj.bin')).resolves.toBeUndefined();
    });

    it.each([
      '../escape',
      'a/../../escape',
      '/etc/passwd',
      'a//b',
      '.hidden',
      'a/.hidden',
      'UPPER',
      'a\\b',
      'a/b\0c',
      '',
      'a/b/',
    ])('refuses the key %p on every operation', async (key) => {
      const refused = expect.any(InvalidStorageKeyError);
      await expect(storage.put(key, Readable.from([Buffer.from('x')]))).rejects.toEqual(refused);
      await expect(storage.get(key)).rejects.toEqual(refused);
      await expect(storage.stat(key)).rejects.toEqual(refused);
      await expect(storage.delete(key)).rejects.toEqual(refused);
    });

    it.each(['../', 'a/../', 'no-slash', '/'])('refuses the prefix %p', async (prefix) => {
      await expect(storage.deletePrefix(prefix)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(keys(prefix)).rejects.toBeInstanceOf(InvalidStorageKeyError);
    });

    it('passes its health check', async () => {
      await expect(storage.checkHealth()).resolves.toBeUndefined();
    });

    it('keeps a 1 MB object intact through put and get', async () => {
      const data = randomBytes(1024 * 1024);
      await storage.put('big/obj.bin', Readable.from([data]));
      expect((await text('big/obj.bin')).equals(data)).toBe(true);
      expect(
        createHash('sha256')
          .update(await text('big/obj.bin'))
          .digest('hex'),
      ).toBe(createHash('sha256').update(data).digest('hex'));
    });
  });
}
