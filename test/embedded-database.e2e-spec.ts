import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeJpeg } from '#testing';
import { ADMIN_CLI, API, assertBuilt, listeningPort, run, type Run, waitFor } from './support/processes.js';

/**
 * Zero set-up, as a new user runs it: the built API with DATABASE_URL empty, in a fresh
 * directory, starts its own PostgreSQL (./data/postgres), serves, keeps its data across a
 * SIGKILL and a restart (adopting the server the killed process left running), shares it
 * with the admin CLI, and stops it on SIGTERM. And an unreachable external DATABASE_URL
 * fails with one clear line and exit code 69.
 */
beforeAll(assertBuilt);

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'tessera-fresh-'));
  // As root, PostgreSQL runs as user `postgres`, who must be able to enter the directory.
  await chmod(home, 0o755);
});
afterAll(async () => {
  await stopLeftoverServer();
  await rm(home, { recursive: true, force: true });
});

const PASSWORD = 'fresh machine admin pw';
const env = {
  PORT: '0',
  HOST: '127.0.0.1',
  ADMIN_PASSWORD: PASSWORD,
  JWT_SECRET: 'fresh-machine-secret'.padEnd(40, 'x'),
};

async function serverPid(): Promise<number | undefined> {
  const pid = Number(
    (await readFile(join(home, 'data/postgres/postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0],
  );
  if (!pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

async function stopLeftoverServer(): Promise<void> {
  const pid = await serverPid();
  if (pid) process.kill(pid, 'SIGINT');
}

async function startApi(): Promise<{ api: Run; url: string }> {
  const api = run(API, env, { cwd: home });
  await waitFor(api, 'Tessera API listening on', 90_000);
  return { api, url: `http://127.0.0.1:${listeningPort(api)}` };
}

async function signIn(url: string, password = PASSWORD): Promise<string> {
  const response = await fetch(`${url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@tessera.local', password }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

it('starts its own PostgreSQL in ./data, keeps the data across a SIGKILL and a restart, and stops it on SIGTERM', async () => {
  const first = await startApi();
  expect(first.api.output()).toMatch(
    /Database: embedded PostgreSQL in \.\/data\/postgres on 127\.0\.0\.1:\d+ \(run by this process\)/,
  );
  expect(first.api.output()).toContain('set DATABASE_URL to use an external PostgreSQL server');
  // Its logs are ours: JSON lines with the PostgreSQL context.
  expect(first.api.output()).toMatch(/"context":"PostgreSQL","msg":"database system is ready to accept connections"/);
  expect((await fetch(`${first.url}/health/ready`)).status).toBe(200);

  const token = await signIn(first.url);
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(await makeJpeg(600, 300))], { type: 'image/jpeg' }), 'fresh.jpg');
  const uploaded = await fetch(`${first.url}/v1/panoramas`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  expect(uploaded.status).toBe(202);
  const panorama = (await uploaded.json()) as { id: string; tileSets: { id: string }[] };
  const tileSetId = panorama.tileSets[0].id;
  let status = 'queued';
  while (status !== 'ready' && status !== 'failed') {
    await new Promise((done) => setTimeout(done, 100));
    const tileSet = await fetch(`${first.url}/v1/tilesets/${tileSetId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    status = ((await tileSet.json()) as { status: string }).status;
  }
  expect(status).toBe('ready');

  // A crash: the server it started keeps running, without an owner.
  const pidBefore = await serverPid();
  first.api.child.kill('SIGKILL');
  await first.api.exited;
  expect(await serverPid()).toBe(pidBefore);

  const second = await startApi();
  expect(second.api.output()).toContain('Adopted a server left running by a process that ended');
  const again = await signIn(second.url);
  const found = await fetch(`${second.url}/v1/panoramas/${panorama.id}`, {
    headers: { authorization: `Bearer ${again}` },
  });
  expect(found.status).toBe(200);
  expect(((await found.json()) as { tileSets: { status: string }[] }).tileSets[0].status).toBe('ready');

  // The admin CLI shares the running server (and leaves it running).
  const reset = run(
    ADMIN_CLI,
    {},
    { cwd: home, args: ['reset-password', 'admin@tessera.local', '--password-stdin'], stdin: 'a brand new password\n' },
  );
  expect((await reset.exited).code).toBe(0);
  expect(reset.output()).toContain('Password of admin@tessera.local reset');
  await signIn(second.url, 'a brand new password');

  second.api.child.kill('SIGTERM');
  expect(await second.api.exited).toEqual({ code: 0, signal: null });
  expect(second.api.output()).toMatch(/"context":"PostgreSQL","msg":"Stopped"/);
  expect(await serverPid()).toBeUndefined();
});

// As root, PostgreSQL runs as user `postgres`. A project in root's private home (0700, where a
// fresh VM or container puts you) is out of that user's reach: the server's data go to
// DATABASE_EMBEDDED_SYSTEM_DIR, linked from ./data/postgres. Not root: nothing to prove.
(process.getuid?.() === 0 ? it : it.skip)(
  "starts as root from a directory user postgres cannot enter (root's private home), twice",
  async () => {
    const privateHome = await mkdtemp(join(tmpdir(), 'tessera-root-home-')); // mode 0700
    const systemDir = await mkdtemp(join(tmpdir(), 'tessera-system-'));
    await chmod(systemDir, 0o755);
    const startHere = async () => {
      const api = run(API, { ...env, DATABASE_EMBEDDED_SYSTEM_DIR: systemDir }, { cwd: privateHome });
      await waitFor(api, 'Tessera API listening on', 90_000);
      return { api, url: `http://127.0.0.1:${listeningPort(api)}` };
    };
    try {
      expect((await stat(privateHome)).mode & 0o777).toBe(0o700);
      const first = await startHere();
      expect(first.api.output()).toMatch(
        /User \\?"postgres\\?" cannot enter .*tessera-root-home-.*: the embedded PostgreSQL keeps its data in/,
      );
      const link = await readlink(join(privateHome, 'data/postgres'));
      expect(link.startsWith(join(systemDir, 'data-'))).toBe(true);
      await signIn(first.url);
      first.api.child.kill('SIGTERM');
      expect((await first.api.exited).code).toBe(0);
      // The next start finds the same data through the link (the admin made at first start signs in).
      const second = await startHere();
      expect(second.api.output()).not.toContain('Creating a new PostgreSQL data directory');
      await signIn(second.url);
      second.api.child.kill('SIGTERM');
      expect((await second.api.exited).code).toBe(0);
    } finally {
      await rm(privateHome, { recursive: true, force: true });
      await rm(systemDir, { recursive: true, force: true });
    }
  },
  180_000,
);

it('gives up on an unreachable DATABASE_URL with one line naming it (no password) and exit code 69', async () => {
  // A port nothing listens on: connection refused at once, retried for two seconds.
  const free = execFileSync(process.execPath, [
    '-e',
    "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})",
  ])
    .toString()
    .trim();
  const api = run(
    API,
    {
      ...env,
      DATABASE_URL: `postgres://tessera:hunter2@127.0.0.1:${free}/tessera`,
      DATABASE_CONNECT_TIMEOUT_SECONDS: '2',
    },
    { cwd: home },
  );
  expect((await api.exited).code).toBe(69);
  const lines = api.output().trim().split('\n');
  expect(lines.some((line) => line.includes('is not reachable yet') && line.includes('retrying for up to 2 s'))).toBe(
    true,
  );
  const last = JSON.parse(lines.at(-1)!) as { level: number; msg: string };
  expect(last.level).toBe(60);
  expect(last.msg).toMatch(
    new RegExp(
      `^Cannot reach PostgreSQL at postgres://tessera:\\*\\*\\*@127\\.0\\.0\\.1:${free}/tessera \\(DATABASE_URL\\) after 2 s: .*ECONNREFUSED`,
    ),
  );
  expect(api.output()).not.toContain('hunter2');
  expect(api.output()).not.toMatch(/\n\s+at /); // no stack trace
});
