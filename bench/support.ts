/**
 * What the benchmarks share: a throwaway database, built processes started with only the
 * environment they are given, their memory read from /proc, a busy test JPEG, a streamed
 * multipart upload and waiting for a tile set through its event stream.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { basename, join } from 'node:path';
import pg from 'pg';
// (Its source: #testing is not built into dist/, and this file runs by type stripping.)
import { makeNoisyJpeg } from '../libs/testing/src/images.ts';

export const MiB = 1024 * 1024;
const serverUrl = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');

export async function admin(sql: string): Promise<void> {
  const url = new URL(serverUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(sql);
  await client.end();
}

/** A new database on the test server (TEST_DATABASE_URL, else 127.0.0.1:5432) and its removal. */
export async function throwawayDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `tessera_bench_${randomBytes(4).toString('hex')}_test`;
  await admin(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(`drop database if exists "${name}" with (force)`).catch(() => undefined),
  };
}

export function waitForOutput(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(text)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited (${code}):\n${output.slice(-4000)}`)));
  });
}

/** The API's and the worker's Node flags as deployed (Dockerfile, docker-compose.yml, npm start / start:worker). */
export const API_NODE_FLAGS = ['--max-semi-space-size=16'];
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=1'];

/**
 * A built entry point (`dist/...js`) as its own process, with only PATH and `env`; the API
 * and the worker with their Node flags as deployed (then `nodeOptions`).
 */
export function startBuilt(script: string, env: Record<string, string>, nodeOptions: string[] = []): ChildProcess {
  const deployed = script.includes('apps/api/')
    ? API_NODE_FLAGS
    : script.includes('apps/worker/')
      ? WORKER_NODE_FLAGS
      : [];
  return spawn(process.execPath, [...deployed, ...nodeOptions, script], {
    env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Stops a process with SIGTERM and waits for it to exit. */
export async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export async function rssKiB(pid: number): Promise<{ rss: number; hwm: number; anon: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: field('VmRSS'), hwm: field('VmHWM'), anon: field('RssAnon') };
}

/**
 * Samples a process's resident memory every `everyMs` until `stop()`, which answers the
 * peak in KiB: the highest sample or the kernel's high-water mark (VmHWM), whichever is
 * higher, so a spike between two samples is not missed while the process lives.
 * `anonymous()` is the highest sampled RssAnon: RSS without file-backed pages (the code of
 * node and libvips, and files libvips maps, such as the image it reads), which stay in the
 * page cache and are given back under memory pressure.
 */
export function sampleMemory(pid: number, everyMs = 50): { stop: () => Promise<number>; anonymous: () => number } {
  let peak = 0;
  let anon = 0;
  const read = () =>
    rssKiB(pid).then(
      (m) => {
        peak = Math.max(peak, m.rss, m.hwm);
        anon = Math.max(anon, m.anon);
      },
      () => undefined,
    );
  const timer = setInterval(() => void read(), everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await read();
      return peak;
    },
    anonymous: () => anon,
  };
}

/**
 * As sampleMemory, for a process and the children it starts and ends (the tiling worker and
 * its cut processes): the process's own peak, the peak any one child reached (and its
 * RssAnon), and the process's RSS now (`current`, to see whether it grows from job to job).
 */
export function sampleTreeMemory(pid: number, everyMs = 50) {
  let own = 0;
  let child = 0;
  let childAnon = 0;
  const read = async () => {
    const me = await rssKiB(pid).catch(() => null);
    if (me) own = Math.max(own, me.rss, me.hwm);
    const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
    for (const id of children.trim().split(/\s+/).filter(Boolean)) {
      const m = await rssKiB(Number(id)).catch(() => null);
      if (m) [child, childAnon] = [Math.max(child, m.rss, m.hwm), Math.max(childAnon, m.anon)];
    }
  };
  const timer = setInterval(() => void read(), everyMs);
  return {
    peaks: async () => {
      await read();
      return { ownKiB: own, childKiB: child, childAnonKiB: childAnon };
    },
    current: async () => (await rssKiB(pid)).rss,
    stop: () => clearInterval(timer),
  };
}

/** CPU time (user + system) a process has used so far, in seconds (Linux, 100 ticks a second). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A JPEG that compresses like a busy photo (upscaled noise, Q90), written to `path`. */
export async function makeBusyJpeg(path: string, width: number, height: number): Promise<void> {
  await writeFile(path, await makeNoisyJpeg(width, height, 90));
}

export async function login(base: string, email: string, password: string): Promise<Record<string, string>> {
  const response = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw new Error(`login answered ${response.status}: ${await response.text()}`);
  const { accessToken } = (await response.json()) as { accessToken: string };
  return { authorization: `Bearer ${accessToken}` };
}

/**
 * POST /v1/panoramas with the file streamed from disk in a multipart body (never held in
 * memory here either), plus any text `fields` before it.
 */
export function uploadFile(
  base: string,
  headers: Record<string, string>,
  path: string,
  size: number,
  type: string,
  fields: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    Object.entries(fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${basename(path)}"\r\nContent-Type: ${type}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL('/v1/panoramas', base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          ...headers,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + size + tail.length,
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.write(head);
    const file = createReadStream(path, { highWaterMark: MiB });
    file.on('end', () => req.end(tail));
    file.pipe(req, { end: false });
  });
}

/**
 * Follows GET /v1/tilesets/{id}/events (what the web app shows progress from) until the
 * tile set is ready; rejects if it fails. Answers when the `ready` event arrived.
 */
export async function whenReady(base: string, headers: Record<string, string>, tileSetId: string): Promise<number> {
  const response = await fetch(`${base}/v1/tilesets/${tileSetId}/events`, {
    headers: { ...headers, accept: 'text/event-stream' },
  });
  if (response.status !== 200 || !response.body) throw new Error(`events answered ${response.status}`);
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    // (Leaving the loop cancels the stream.)
    text += decoder.decode(chunk, { stream: true });
    if (/"status":"ready"/.test(text)) return performance.now();
    if (/"status":"failed"/.test(text)) throw new Error(`tile set ${tileSetId} failed: ${text}`);
  }
  throw new Error(`the event stream ended before the tile set was ready: ${text}`);
}

/** One measured number against the goal it serves (issue 13), as `npm run bench` tabulates it. */
export interface BenchResult {
  bench: string;
  what: string;
  /** The measured value, as printed ("9,128 req/s, p99 13 ms"). */
  value: string;
  /** What it was compared with, if anything ("nginx 31,475 req/s"). */
  reference?: string;
  ratio?: number;
  goal?: string;
  met?: boolean;
}

const RESULT_PREFIX = 'BENCH_RESULT ';

/** Prints results in a line each that `bench/all.ts` picks out of a benchmark's output. */
export function report(results: BenchResult[]): void {
  for (const result of results) console.log(`${RESULT_PREFIX}${JSON.stringify(result)}`);
}

export function resultsIn(output: string): BenchResult[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith(RESULT_PREFIX))
    .map((line) => JSON.parse(line.slice(RESULT_PREFIX.length)) as BenchResult);
}

export const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * The service as deployed, on a throwaway database with its files under `root`: the built
 * API (one process, no embedded consumers) and, on demand, built workers with the same
 * settings. `close()` stops them all and removes the database and the files.
 */
export async function startDeployment(root: string, settings: Record<string, string> = {}) {
  const database = await throwawayDatabase();
  const children: ChildProcess[] = [];
  const env = {
    DATABASE_URL: database.url,
    JWT_SECRET: randomBytes(32).toString('hex'),
    STORAGE_LOCAL_ROOT: join(root, 'storage'),
    UPLOAD_TMP_DIR: join(root, 'tmp'),
    UPLOAD_RESUMABLE_DIR: join(root, 'resumable'),
    TILING_WORK_DIR: join(root, 'tiling'),
    WORKER_EMBEDDED: 'false',
    METRICS_WORKER_PORT: '0',
    ADMIN_EMAIL: 'bench@example.com',
    ADMIN_PASSWORD: 'bench admin password',
    ...settings,
  };
  const close = async () => {
    await Promise.all(children.map(stop));
    await database.drop();
    await rm(root, { recursive: true, force: true });
  };
  try {
    const port = 39_000 + Math.floor(Math.random() * 1000);
    const api = startBuilt('dist/apps/api/src/main.js', {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      API_PROCESSES: '1',
    });
    children.push(api);
    await waitForOutput(api, 'listening');
    const base = `http://127.0.0.1:${port}`;
    return {
      base,
      auth: await login(base, env.ADMIN_EMAIL, env.ADMIN_PASSWORD),
      /** The API process (for its memory and CPU time). */
      api,
      /** Starts a worker; `ready` settles once it consumes jobs. */
      worker: () => {
        const child = startBuilt('dist/apps/worker/src/main.js', env);
        children.push(child);
        return { child, ready: waitForOutput(child, 'Tessera worker ready') };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Uploads a JPEG without preset renditions; answers its first tile set's id. */
export async function uploadForTiling(base: string, auth: Record<string, string>, image: string): Promise<string> {
  const upload = await uploadFile(base, auth, image, (await stat(image)).size, 'image/jpeg', { presets: 'none' });
  if (upload.status !== 202) throw new Error(`upload answered ${upload.status}: ${upload.body}`);
  return (JSON.parse(upload.body) as { tileSets: { id: string }[] }).tileSets[0].id;
}
