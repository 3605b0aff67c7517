import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { DomainError } from '#shared-kernel';
import { FileSystemUploadStaging } from './file-system-upload-staging.js';

class TooLarge extends DomainError {
  readonly code = 'UPLOAD_TOO_LARGE';
  constructor() {
    super('too large');
  }
}

describe('FileSystemUploadStaging', () => {
  let dir: string;
  let staging: FileSystemUploadStaging;
  const limits = { maxBytes: 1000, tooLarge: () => new TooLarge() };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-staging-'));
    staging = new FileSystemUploadStaging(dir);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('hashes, counts and keeps the first bytes of what it stages', async () => {
    const staged = await staging.stage(Readable.from([Buffer.from('hello '), Buffer.from('world')]), limits);
    expect(staged).toMatchObject({
      bytes: 11,
      sha256: 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
      head: Buffer.from('hello world'),
    });
    await staging.discard(staged);
    expect(await readdir(dir)).toEqual([]);
  });

  // The client went away before staging began (e.g. during the quota query): the file must
  // not appear after the cleanup (a lazily opened write stream created it late).
  it('leaves no file when the source has already failed before staging starts', async () => {
    for (let i = 0; i < 20; i++) {
      const gone = new PassThrough().on('error', () => undefined);
      gone.destroy(new Error('client gone'));
      await expect(staging.stage(gone, limits)).rejects.toThrow();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await readdir(dir)).toEqual([]);
  });

  // Each case many times: the failures depend on when the file gets opened.
  it('leaves no file when the source fails half-way or passes the byte limit', async () => {
    for (let i = 0; i < 50; i++) {
      const failing = new PassThrough().on('error', () => undefined);
      const staged = staging.stage(failing, limits);
      failing.write(Buffer.alloc(100));
      setImmediate(() => failing.destroy(new Error('reset')));
      await expect(staged).rejects.toThrow('reset');
      await expect(staging.stage(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), limits)).rejects.toBeInstanceOf(
        TooLarge,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await readdir(dir)).toEqual([]);
  });
});
