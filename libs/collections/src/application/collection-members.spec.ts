import { InMemoryChangeFeed } from '#testing';
import { CollectionMembers } from './collection-members.service.js';
import type { CollectionRepository, MemberKind } from './ports/collection.repository.port.js';

/** A repository whose membership answers are set by the test; reads counted, and held while `gate` is set. */
function membership() {
  const held = new Set<string>();
  const state = { reads: 0, gate: undefined as Promise<void> | undefined };
  const repository = {
    holds: async (collectionId: string, kind: MemberKind, id: string) => {
      state.reads++;
      const answer = held.has(`${collectionId}/${kind}/${id}`);
      await state.gate;
      return answer;
    },
  } as unknown as CollectionRepository;
  const feed = new InMemoryChangeFeed();
  const members = new CollectionMembers(repository, feed);
  members.onModuleInit();
  return { held, state, feed, members };
}

it('reads a membership once, then remembers it until the collection changes', async () => {
  const { held, state, feed, members } = membership();
  held.add('c1/tileset/t1');
  expect(await members.holds('c1', 'tileset', 't1')).toBe(true);
  expect(await members.holds('c1', 'tileset', 't1')).toBe(true);
  expect(await members.holds('c1', 'rendition', 't1')).toBe(false);
  expect(state.reads).toBe(2);

  held.delete('c1/tileset/t1');
  feed.emit('collections', 'c2'); // another collection: nothing of c1 forgotten
  expect(await members.holds('c1', 'tileset', 't1')).toBe(true);
  feed.emit('collections', 'c1');
  expect(await members.holds('c1', 'tileset', 't1')).toBe(false);
  expect(state.reads).toBe(3);
});

it('forgets everything after the feed reconnects (changes may have been missed)', async () => {
  const { held, feed, members } = membership();
  held.add('c1/tileset/t1');
  held.add('c2/tileset/t2');
  await members.holds('c1', 'tileset', 't1');
  await members.holds('c2', 'tileset', 't2');
  held.clear();
  feed.emit('collections', undefined);
  expect(await members.holds('c1', 'tileset', 't1')).toBe(false);
  expect(await members.holds('c2', 'tileset', 't2')).toBe(false);
});

it('does not keep an answer read while the collection changed (it may be the old one)', async () => {
  const { held, state, feed, members } = membership();
  held.add('c1/tileset/t1');
  let release!: () => void;
  state.gate = new Promise((done) => (release = done));
  const reading = members.holds('c1', 'tileset', 't1'); // reads "member"...
  held.delete('c1/tileset/t1');
  feed.emit('collections', 'c1'); // ...while it is taken out
  state.gate = undefined;
  release();
  expect(await reading).toBe(true); // that request was in flight: answered as read
  expect(await members.holds('c1', 'tileset', 't1')).toBe(false); // the next one reads again
  expect(state.reads).toBe(2);
});

it('stops listening when the module stops', async () => {
  const { held, feed, members } = membership();
  held.add('c1/tileset/t1');
  await members.holds('c1', 'tileset', 't1');
  members.onModuleDestroy();
  held.clear();
  feed.emit('collections', 'c1');
  expect(await members.holds('c1', 'tileset', 't1')).toBe(true);
});
