import { PassThrough, Readable } from 'node:stream';
import { ZipArchive } from 'archiver';
import { appendEntry } from './zip-stream.js';

describe('appendEntry', () => {
  it('leaves no listener behind, however many entries (no MaxListenersExceededWarning)', async () => {
    const zip = new ZipArchive({ store: true });
    zip.pipe(new PassThrough().resume());
    const baseline = { error: zip.listenerCount('error'), entry: zip.listenerCount('entry') };
    for (let i = 0; i < 50; i++) await appendEntry(zip, Readable.from([Buffer.from(`tile ${i}`)]), `t/${i}.bin`);
    expect({ error: zip.listenerCount('error'), entry: zip.listenerCount('entry') }).toEqual(baseline);
    await zip.finalize();
  });

  it('rejects when the archiver fails, and removes its listeners then too', async () => {
    const zip = new ZipArchive({ store: true });
    zip.pipe(new PassThrough().resume());
    const failing = new Readable({ read: () => undefined });
    const appended = appendEntry(zip, failing, 'broken.bin');
    failing.destroy(new Error('storage went away'));
    await expect(appended).rejects.toThrow('storage went away');
    expect(zip.listenerCount('entry')).toBe(0);
    expect(failing.listenerCount('error')).toBe(0);
  });
});
