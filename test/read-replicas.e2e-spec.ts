import { kill } from 'node:process';
import pg from 'pg';
import { ReadReplicas } from '#persistence';
import { makeJpeg, startReplicatedServers, type ReplicaServer, type ReplicatedServers } from '#testing';
import { ReadyTileSets } from '#tiles';
import { type ApiHarness, startApi } from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { upload } from './support/uploads.js';

/**
 * DATABASE_REPLICA_URLS against real streaming standbys: a primary and two physical replicas
 * (embedded binaries, base backup, replication slots) started for this file. Which server
 * answered is told by what it returns: a replica whose replay is paused still has the old
 * rows, the primary has the new ones.
 */
const DATABASE = 'tessera_replicas_test';
const TOKEN = 'metrics-token-for-the-replica-test';

let servers: ReplicatedServers;
let primaryUrl: string;
/** Replicas may lag up to a minute: a paused replica stays in use while a test reads from it. */
let api: ApiHarness;
let replicas: ReadReplicas;

const sql = async (query: string, params: unknown[] = []) => {
  const client = new pg.Client({ connectionString: primaryUrl });
  await client.connect();
  try {
    return (await client.query(query, params)).rows;
  } finally {
    await client.end();
  }
};
/** A change made behind the API's back (no trigger, no feed): only replication carries it. */
const retitleBehindTheApi = (id: string, title: string) =>
  sql(`set session_replication_role = replica; update panoramas set title = '${title}' where id = '${id}'`);
const pause = (replica: ReplicaServer) => replica.query('select pg_wal_replay_pause()');
const resume = (replica: ReplicaServer) => replica.query('select pg_wal_replay_resume()');

async function counter(harness: ApiHarness, name: string, labels: string): Promise<number> {
  const text = await (
    await fetch(`${harness.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).text();
  const line = text.split('\n').find((l) => l.startsWith(`tessera_${name}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}
const replicaReads = (harness = api) => counter(harness, 'db_stale_ok_reads_total', 'target="replica"');

/** Waits, check by check, until `done` holds (events of the replica monitor, not a clock). */
async function afterChecks(router: ReadReplicas, done: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await done())) await router.nextCheck();
}

async function titles(client: Awaited<ReturnType<ApiHarness['userClient']>>) {
  const { data, response } = await client.client.GET('/v1/panoramas', { params: { query: { limit: 50 } } });
  expect(response.status).toBe(200);
  return data!.items.map((p) => p.title);
}

/** Lists until one answer came from a replica (the user's own writes have been replayed). */
async function untilServedByReplica(harness: ApiHarness, router: ReadReplicas, client: Parameters<typeof titles>[0]) {
  await servers.caughtUp();
  await afterChecks(router, async () => {
    const before = await replicaReads(harness);
    await titles(client);
    return (await replicaReads(harness)) > before;
  });
}

const absolute = (url: string) => (url.startsWith('http') ? url : `${api.baseUrl}${url}`);

async function startOn(replicaUrls: string[], maxLagSeconds: number): Promise<ApiHarness> {
  return startApi(
    {
      DATABASE_REPLICA_URLS: replicaUrls.join(','),
      DATABASE_REPLICA_MAX_LAG_SECONDS: String(maxLagSeconds),
      METRICS_TOKEN: TOKEN,
    },
    // The primary's database, kept until the servers go.
    { db: { name: DATABASE, url: primaryUrl, drop: async () => undefined } },
  );
}

beforeAll(async () => {
  servers = await startReplicatedServers(2);
  primaryUrl = await servers.createDatabase(DATABASE);
  api = await startOn(
    servers.replicas.map((r) => r.url(DATABASE)),
    60,
  );
  replicas = api.app.get(ReadReplicas);
  await afterChecks(replicas, () => replicas.status().every((s) => s.up));
}, 120_000);

afterAll(async () => {
  await api?.close();
  await servers?.close();
});

afterEach(async () => {
  for (const replica of servers.replicas) await resume(replica).catch(() => undefined);
});

it('serves lists from a replica, and single records from the primary', async () => {
  const user = await api.userClient();
  const uploaded = await upload(user.client, await makeJpeg(64, 32), {
    fields: { title: 'as uploaded', presets: 'none' },
  });
  expect(uploaded.response.status).toBe(202);
  const id = uploaded.data!.id;
  await untilServedByReplica(api, replicas, user);

  for (const replica of servers.replicas) await pause(replica);
  await retitleBehindTheApi(id, 'changed on the primary');
  await afterChecks(replicas, () => replicas.status().every((s) => s.up));
  const before = await replicaReads();
  // Both replicas still have the old title: the list came from one of them.
  expect(await titles(user)).toEqual(['as uploaded']);
  expect(await replicaReads()).toBe(before + 1);
  // A single record is read where it is written.
  const one = await user.client.GET('/v1/panoramas/{id}', { params: { path: { id } } });
  expect(one.data!.title).toBe('changed on the primary');

  for (const replica of servers.replicas) await resume(replica);
  await servers.caughtUp();
  await afterChecks(replicas, async () => (await titles(user))[0] === 'changed on the primary');
});

it('shows a user their own writes at once, even while every replica is behind (read-your-own-writes)', async () => {
  const user = await api.userClient();
  expect(
    (await upload(user.client, await makeJpeg(64, 32), { fields: { title: 'first', presets: 'none' } })).response
      .status,
  ).toBe(202);
  await untilServedByReplica(api, replicas, user);
  for (const replica of servers.replicas) await pause(replica);

  const fromReplicas = await replicaReads();
  const second = await upload(user.client, await makeJpeg(64, 33), { fields: { title: 'second', presets: 'none' } });
  expect(second.response.status).toBe(202);
  expect(await titles(user)).toEqual(['second', 'first']);
  const renamed = await user.client.PATCH('/v1/panoramas/{id}', {
    params: { path: { id: second.data!.id } },
    body: { title: 'second, renamed' },
  });
  expect(renamed.response.status).toBe(200);
  expect(await titles(user)).toEqual(['second, renamed', 'first']);
  // Both lists came from the primary: the replicas have neither write.
  expect(await replicaReads()).toBe(fromReplicas);

  // Someone who wrote nothing still reads from the (paused) replicas.
  const admin = await api.adminClient();
  await afterChecks(replicas, () => replicas.status().every((s) => s.up));
  const before = await replicaReads();
  const listed = await admin.GET('/v1/panoramas', { params: { query: { limit: 50, ownerId: user.id } } });
  expect(listed.response.status).toBe(200);
  expect(await replicaReads()).toBe(before + 1);
  expect(listed.data!.items.map((p) => p.title)).toEqual(['first']);
});

it('serves share pages from a replica, and never serves a revoked link from a replica that has not seen the revocation', async () => {
  const owner = await api.userClient();
  const uploaded = await upload(owner.client, await makeJpeg(600, 300), { fields: { presets: 'none' } });
  const tileSetId = uploaded.data!.tileSets[0].id;
  const events = await followEvents(`${api.baseUrl}/v1/tilesets/${tileSetId}/events`, owner.accessToken);
  expect(events.at(-1)?.event).toBe('ready');
  const link = await owner.client.POST('/v1/tilesets/{id}/share', { params: { path: { id: tileSetId } }, body: {} });
  expect(link.response.status).toBe(200);
  await servers.caughtUp();

  // A share page's descriptor comes from a replica once its cached record is dropped.
  await afterChecks(replicas, async () => {
    api.app.get(ReadyTileSets).evict(tileSetId);
    const before = await replicaReads();
    expect((await fetch(absolute(link.data!.dziUrl))).status).toBe(200);
    return (await replicaReads()) > before;
  });

  for (const replica of servers.replicas) await pause(replica);
  const revoked = await owner.client.DELETE('/v1/tilesets/{id}/share', { params: { path: { id: tileSetId } } });
  expect(revoked.response.status).toBe(204);
  // Both replicas still hold the old share epoch: the tile set is read from the primary.
  const after = await fetch(absolute(link.data!.dziUrl));
  expect(after.status).toBe(403);
  expect(((await after.json()) as { code: string }).code).toBe('SHARE_LINK_REVOKED');
});

describe('with replicas that fail', () => {
  let strict: ApiHarness;
  let router: ReadReplicas;

  beforeAll(async () => {
    // A one-second lag limit, and a third replica that was never there (a closed port).
    strict = await startOn(
      [...servers.replicas.map((r) => r.url(DATABASE)), 'postgres://postgres@127.0.0.1:9/none'],
      1,
    );
    router = strict.app.get(ReadReplicas);
    await afterChecks(router, () => router.status().filter((s) => s.up).length === 2);
  }, 60_000);
  afterAll(() => strict?.close());

  it('starts with a replica down, reports it, and does not use it', async () => {
    expect(router.status()).toEqual([
      expect.objectContaining({ name: 'replica1', up: true }),
      expect.objectContaining({ name: 'replica2', up: true }),
      { name: 'replica3', up: false, lagSeconds: undefined },
    ]);
    const text = await (
      await fetch(`${strict.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).text();
    expect(text).toContain('tessera_db_replica_up{replica="replica3"} 0');
    expect(text).toContain('tessera_db_replica_up{replica="replica1"} 1');
  });

  it('skips a replica that lags past DATABASE_REPLICA_MAX_LAG_SECONDS, and falls back to the primary when all do', async () => {
    const user = await strict.userClient();
    const uploaded = await upload(user.client, await makeJpeg(64, 32), { fields: { title: 'old', presets: 'none' } });
    const id = uploaded.data!.id;
    await untilServedByReplica(strict, router, user);

    const [first, second] = servers.replicas as [ReplicaServer, ReplicaServer];
    await pause(first);
    await retitleBehindTheApi(id, 'new');
    await afterChecks(router, () => (router.status()[0].lagSeconds ?? Infinity) > 1);
    await servers.caughtUp([second]);
    await afterChecks(router, () => (router.status()[1].lagSeconds ?? Infinity) <= 1);
    // Every read goes to the replica that is current (or the primary): none shows the old title.
    const seen = await Promise.all(Array.from({ length: 8 }, () => titles(user)));
    expect(seen).toEqual(Array.from({ length: 8 }, () => ['new']));

    await pause(second);
    await retitleBehindTheApi(id, 'newer');
    await afterChecks(router, () => router.status().every((s) => !s.up || (s.lagSeconds ?? Infinity) > 1));
    const fromReplicas = await replicaReads(strict);
    expect(await titles(user)).toEqual(['newer']);
    expect(await replicaReads(strict)).toBe(fromReplicas);
  });

  it('changes nothing a user sees when a replica is killed mid-run (kill -9)', async () => {
    const user = await strict.userClient();
    const uploaded = await upload(user.client, await makeJpeg(64, 32), { fields: { title: 'kept', presets: 'none' } });
    expect(uploaded.response.status).toBe(202);
    await untilServedByReplica(strict, router, user);

    const victim = servers.replicas[1];
    kill(await victim.pid(), 'SIGKILL');
    // Released at once: some reads meet the dead replica's pooled connections.
    const answers = await Promise.all(Array.from({ length: 20 }, () => titles(user)));
    expect(answers).toEqual(Array.from({ length: 20 }, () => ['kept']));
    await afterChecks(router, () => !router.status()[1].up);
    expect(await titles(user)).toEqual(['kept']);
    expect((await fetch(`${strict.baseUrl}/health/ready`)).status).toBe(200);
  });
});
