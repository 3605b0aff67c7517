import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeNoisyJpeg } from '#testing';
import { type ApiHarness, startApi } from './support/api-harness.js';
import { followEvents } from './support/tiles.js';
import { filesIn, upload } from './support/uploads.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * SECURITY.md item 17: a worker killed (SIGKILL) mid-tiling. Its job's heartbeat stops,
 * the queue retries it on another worker, and the tile set ends ready with exactly the
 * tiles a clean run makes; "ready" never shows before everything is stored. Likewise a
 * worker killed in the middle of a webhook delivery: the delivery is sent again.
 */
const WORKER = 'dist/apps/worker/src/main.js';
let api: ApiHarness;
const receiver = new WebhookReceiver();
const workers: ChildProcess[] = [];

function startWorker(): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [WORKER], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...api.workerEnv, IMAGE_THREADS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  workers.push(child);
  return Object.assign(child, { output: () => output });
}

/** Kills every worker still running and waits for each to be gone. */
const killWorkers = () =>
  Promise.all(
    workers.map((worker) =>
      worker.exitCode !== null || worker.signalCode !== null
        ? Promise.resolve()
        : new Promise((exited) => {
            worker.once('exit', exited);
            worker.kill('SIGKILL');
          }),
    ),
  );

const until = async (what: string, check: () => Promise<boolean>, ms = 60_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

beforeAll(async () => {
  if (!existsSync(WORKER)) throw new Error('dist/ is missing: run `npm run build` first (npm test does).');
  api = await startApi({
    WORKER_EMBEDDED: 'false',
    JOB_HEARTBEAT_SECONDS: '10',
    QUEUE_SUPERVISE_INTERVAL_SECONDS: '1',
    JOB_RETRY_DELAY_SECONDS: '1',
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
    // Longer than the heartbeat: the killed worker is still waiting for an answer.
    WEBHOOK_TIMEOUT_SECONDS: '60',
  });
});
afterAll(async () => {
  // Each worker gone before the directories go: one still writing (the next job's scratch
  // files) makes their removal fail with ENOTEMPTY.
  await killWorkers();
  await receiver.stop();
  await api?.close();
});

it('retries a job whose worker was killed, ending ready and identical to a clean run', async () => {
  const owner = await api.userClient();
  const image = await makeNoisyJpeg(8000, 4000);
  const uploaded = await upload(owner.client, image);
  const tileSetId = uploaded.data!.tileSets[0].id;
  const status = async () =>
    (await owner.client.GET('/v1/tilesets/{id}', { params: { path: { id: tileSetId } } })).data!;

  const log = (message: string) => process.stdout.write(`[worker-crash ${new Date().toISOString()}] ${message}\n`);
  log('uploaded');
  const doomed = startWorker();
  await until('the first worker to start cutting', async () => (await status()).status === 'processing');
  await until('tiles on disk', async () => (await filesIn(join(api.workerEnv.TILING_WORK_DIR))).length > 10, 20_000);
  log(`killing the worker at progress ${(await status()).progress}`);
  doomed.kill('SIGKILL');
  await new Promise((resolve) => doomed.once('exit', resolve));
  expect((await status()).status).toBe('processing');
  expect(await filesIn(join(api.storageRoot, 'tilesets', tileSetId))).toEqual([]); // nothing published

  log('starting a second worker');
  startWorker();
  const events = await followEvents(`${api.baseUrl}/v1/tilesets/${tileSetId}/events`, owner.accessToken, 90_000);
  expect(events.at(-1)).toMatchObject({ event: 'ready', data: { status: 'ready', progress: 1 } });
  log('recovered');
  const recovered = (
    await owner.client.GET('/v1/tilesets/{id}/manifest', {
      params: { path: { id: tileSetId }, query: { tiles: true } },
    })
  ).data!;

  // A clean run of the same bytes and options, for another user.
  const other = await api.userClient();
  const clean = (await upload(other.client, image)).data!.tileSets[0].id;
  expect(
    (await followEvents(`${api.baseUrl}/v1/tilesets/${clean}/events`, other.accessToken, 90_000)).at(-1),
  ).toMatchObject({ event: 'ready' });
  const reference = (
    await other.client.GET('/v1/tilesets/{id}/manifest', { params: { path: { id: clean }, query: { tiles: true } } })
  ).data!;

  expect(recovered.tileCount).toBe(reference.tileCount);
  expect(recovered.tiles!.map((t) => `${t.path} ${t.sha256}`)).toEqual(
    reference.tiles!.map((t) => `${t.path} ${t.sha256}`),
  );
  expect((await filesIn(join(api.storageRoot, 'tilesets', tileSetId))).length).toBe(recovered.tileCount + 1); // + manifest.json
}, 240_000);

it('sends a webhook delivery again when its worker was killed in the middle of it, then the next in order', async () => {
  await killWorkers();
  const owner = await api.userClient();
  const url = await receiver.start();
  const made = await owner.client.POST('/v1/webhooks', { body: { url, events: ['panorama.updated'] } });
  receiver.secret = made.data!.secret;
  receiver.behaviour = (n) => (n === 0 ? 'hang' : 200);
  const uploaded = await upload(owner.client, await makeNoisyJpeg(64, 32), { fields: { presets: 'none' } });
  const rename = (title: string) =>
    owner.client.PATCH('/v1/panoramas/{id}', { params: { path: { id: uploaded.data!.id } }, body: { title } });
  await rename('first');

  const doomed = startWorker();
  await receiver.waitFor((got) => got.length === 1); // the worker is waiting for the answer
  doomed.kill('SIGKILL');
  await new Promise((resolve) => doomed.once('exit', resolve));
  await rename('second'); // recorded while no worker runs

  startWorker();
  await receiver.waitFor((got) => got.some((r) => r.data.title === 'second'));
  const titles = receiver.received.map((r) => r.data.title);
  expect(titles).toEqual(['first', 'first', 'second']);
  expect(receiver.received[1].id).toBe(receiver.received[0].id); // the same webhook-id: de-duplicable
  expect(receiver.received.every((r) => r.verified)).toBe(true);
}, 120_000);
