import { InMemoryChangeFeed, InMemoryTileSetRepository } from '#testing';
import { TileSet, TileSetWatch } from '#tiles';

const ID = '33333333-3333-4333-8333-333333333333';

class CountingTileSets extends InMemoryTileSetRepository {
  reads = 0;
  override async findById(id: string) {
    this.reads++;
    const row = await super.findById(id);
    return row ? new TileSet({ ...row }) : null; // a fresh object per read, as from the database
  }
}

function setup() {
  const tileSets = new CountingTileSets();
  const feed = new InMemoryChangeFeed();
  const watch = new TileSetWatch(tileSets, feed);
  const now = new Date('2026-01-01T00:00:00Z');
  tileSets.rows.set(
    ID,
    TileSet.queue({
      id: ID,
      panoramaId: 'p',
      ownerId: 'o',
      sourceKey: 'k',
      sourceWidth: 100,
      sourceHeight: 50,
      options: { tileSize: 256, format: 'jpeg', quality: 85, overlap: 1, layout: 'deepzoom' },
      now,
    }),
  );
  const progress = (value: number, seconds: number) =>
    Object.assign(tileSets.rows.get(ID)!, {
      status: 'processing',
      progress: value,
      updatedAt: new Date(now.getTime() + seconds * 1000),
    });
  const settle = () => new Promise((done) => setTimeout(done, 10));
  return { tileSets, feed, watch, progress, settle };
}

const observer = () => {
  const seen: number[] = [];
  let gone = false;
  return {
    seen,
    isGone: () => gone,
    next: (tileSet: TileSet) => seen.push(tileSet.progress),
    gone: () => (gone = true),
    error: (error: unknown) => {
      throw error;
    },
  };
};

describe('TileSetWatch (a ChangeWatcher of tile sets)', () => {
  it('reads a changed tile set once for all of its watchers, and hands each the new state', async () => {
    const t = setup();
    const watchers = Array.from({ length: 100 }, observer);
    const unwatch = watchers.map((w) => t.watch.watch(ID, w));
    await t.settle();
    const initialReads = t.tileSets.reads; // one per new watcher (its current state)
    t.progress(0.5, 1);
    t.feed.emit('tilesets', ID);
    await t.settle();
    expect(t.tileSets.reads).toBe(initialReads + 1);
    expect(watchers.every((w) => w.seen.join() === '0,0.5')).toBe(true);
    unwatch.forEach((stop) => stop());
    t.feed.emit('tilesets', ID);
    await t.settle();
    expect(t.tileSets.reads).toBe(initialReads + 1); // nobody watches: nothing read
  });

  it('ignores changes of tile sets nobody watches, and re-reads all after a resync', async () => {
    const t = setup();
    const w = observer();
    t.watch.watch(ID, w);
    await t.settle();
    const before = t.tileSets.reads;
    t.feed.emit('tilesets', '44444444-4444-4444-8444-444444444444');
    await t.settle();
    expect(t.tileSets.reads).toBe(before);
    t.progress(0.25, 1);
    t.feed.emit('tilesets', undefined);
    await t.settle();
    expect(w.seen).toEqual([0, 0.25]);
  });

  it('never hands a watcher an older state than one it already had', async () => {
    const t = setup();
    const w = observer();
    t.progress(0.75, 5);
    t.watch.watch(ID, w);
    await t.settle();
    t.progress(0.5, 3); // an older snapshot arriving late
    t.feed.emit('tilesets', ID);
    await t.settle();
    expect(w.seen).toEqual([0.75]);
  });

  it('tells watchers when the tile set is deleted', async () => {
    const t = setup();
    const w = observer();
    t.watch.watch(ID, w);
    await t.settle();
    t.tileSets.rows.delete(ID);
    t.feed.emit('tilesets', ID);
    await t.settle();
    expect(w.isGone()).toBe(true);
  });
});
