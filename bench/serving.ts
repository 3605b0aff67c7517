/**
 * npm run bench:serving — tile GETs against one API process, side by side with nginx (one
 * worker) serving the same tile files from disk when nginx is installed. Load from
 * autocannon (npm), 64 connections, BENCH_SECONDS each (default 10), one tile URL per case:
 *
 * - bearer: GET /v1/tilesets/{id}/image_files/{level}/{col}_{row}.jpeg with the header
 * - 304:    the same with If-None-Match (a viewer revalidating)
 * - share:  the same tile under a capability URL (/v1/s/{token}/...)
 * - iiif:   the same tile as a IIIF viewer asks for it (region and size on the tile grid)
 * - nginx:  the tile file, `worker_processes 1`, `sendfile on`, the same machine (the
 *           reference of every ratio)
 * - cache:  the share-link tile through the compose stack's caching proxy (nginx, one worker,
 *           deploy/nginx/tessera.conf.template) on a warm cache
 * - nginx with `open_file_cache` as the caching proxy has it: the cache's fair ceiling
 * - then bearer again, from the API restarted as a cluster of two processes (API_PROCESSES=2)
 *
 * Prints req/s, p50/p99 latency and each case's ratio to nginx. Needs `npm run build` and a
 * PostgreSQL (TEST_DATABASE_URL, else 127.0.0.1:5432); uses wrk when installed (autocannon,
 * in Node on the same cores, caps the numbers), BENCH_PROFILE=dir writes the API's CPU profile. The load generator runs on the same
 * cores as the server: compare the ratios, not the absolute numbers, across machines.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error autocannon ships no types (its @types lag two majors behind): the shape used is declared below
import autocannonModule from 'autocannon';
import sharp from 'sharp';
import { type CachingProxy, nginxConf, startCachingProxy } from '../libs/testing/src/caching-proxy.ts';
import { login, report, startBuilt, stop, thousands, throwawayDatabase, waitForOutput, whenReady } from './support.ts';

interface LoadResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  statusCodeStats: Record<string, { count: number }>;
}
const autocannon = autocannonModule as unknown as (options: {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
}) => Promise<LoadResult>;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 64;
const CACHE_ROUNDS = Number(process.env.BENCH_CACHE_ROUNDS ?? 3);
const json = async (response: Response) => {
  if (!response.ok) throw new Error(`${response.url} answered ${response.status}: ${await response.text()}`);
  return response.json() as Promise<Record<string, unknown>>;
};

async function loadWithAutocannon(url: string, headers?: Record<string, string>) {
  await autocannon({ url, connections: CONNECTIONS, duration: 2, headers }); // warm-up
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  const statuses = Object.entries(result.statusCodeStats).map(([code, { count }]) => `${code}:${count}`);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    other: `${statuses.join(' ')}${result.errors ? ` errors:${result.errors}` : ''}`,
  };
}

function loadWithWrk(wrk: string, url: string, headers: Record<string, string> = {}) {
  const args = (seconds: number) => [
    '-t2',
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    '--latency',
    ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    url,
  ];
  spawnSync(wrk, args(2)); // warm-up
  const out = spawnSync(wrk, args(SECONDS), { encoding: 'utf8' }).stdout;
  const ms = (label: string) => {
    const m = new RegExp(`\\s${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (!m) return NaN;
    return Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[m[2]];
  };
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1];
  const errors = /Socket errors: (.*)/.exec(out)?.[1];
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50: Math.round(ms('50') * 10) / 10,
    p99: Math.round(ms('99') * 10) / 10,
    other: [non2xx ? `non-2xx/3xx:${non2xx}` : 'all 2xx/3xx', errors ? `socket errors: ${errors}` : ''].join(' '),
  };
}

const work = await mkdtemp(join(tmpdir(), 'tessera-serving-bench-'));
const database = await throwawayDatabase();
const children: ChildProcess[] = [];
let cachingProxy: CachingProxy | undefined;
try {
  const port = 39_000 + Math.floor(Math.random() * 1000);
  const storage = join(work, 'storage');
  // BENCH_PROFILE=dir: a CPU profile of the API for the whole run (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const jwtSecret = randomBytes(32).toString('hex');
  const shareKeys = `k0:${randomBytes(32).toString('base64url')}`;
  const startApi = async (processes: number) => {
    const child = startBuilt(
      'dist/apps/api/src/main.js',
      {
        PORT: String(port),
        HOST: '127.0.0.1',
        API_PROCESSES: String(processes),
        DATABASE_URL: database.url,
        STORAGE_LOCAL_ROOT: storage,
        UPLOAD_TMP_DIR: join(work, 'tmp'),
        TILING_WORK_DIR: join(work, 'tiling'),
        UPLOAD_RESUMABLE_DIR: join(work, 'resumable'),
        JWT_SECRET: jwtSecret,
        ADMIN_EMAIL: 'bench@example.com',
        ADMIN_PASSWORD: 'bench admin password',
        SHARE_KEYS: shareKeys,
        THROTTLE_TILES_LIMIT: '10000000',
        RENDITION_PRESETS: '',
      },
      profile,
    );
    children.push(child);
    await waitForOutput(child, processes > 1 ? `${processes} processes listening` : 'listening');
    return child;
  };
  let api = await startApi(1);
  const base = `http://127.0.0.1:${port}`;

  const auth = await login(base, 'bench@example.com', 'bench admin password');
  const image = await sharp({
    create: {
      width: 4096,
      height: 2048,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .jpeg({ quality: 90 })
    .toBuffer();
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(image)], { type: 'image/jpeg' }), 'bench.jpg');
  form.append('presets', 'none');
  const panorama = await json(await fetch(`${base}/v1/panoramas`, { method: 'POST', headers: auth, body: form }));
  const tileSetId = (panorama.tileSets as { id: string }[])[0].id;
  await whenReady(base, auth, tileSetId);
  const tilePath = 'image_files/12/3_2.jpeg'; // an inner tile of full resolution (256 px: no overlap by default)
  const tileUrl = `${base}/v1/tilesets/${tileSetId}/${tilePath}`;
  const first = await fetch(tileUrl, { headers: auth });
  if (first.status !== 200) throw new Error(`tile answered ${first.status}`);
  const etag = first.headers.get('etag')!;
  const bytes = (await first.arrayBuffer()).byteLength;
  const share = await json(
    await fetch(`${base}/v1/tilesets/${tileSetId}/share`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{}',
    }),
  );
  const sharedUrl = String(share.dziUrl).replace(/image\.dzi$/, tilePath);

  const cases: { name: string; url: string; headers?: Record<string, string> }[] = [
    { name: 'bearer tile (200)', url: tileUrl, headers: auth },
    { name: 'bearer tile (304)', url: tileUrl, headers: { ...auth, 'if-none-match': etag } },
    { name: 'share-link tile (200)', url: sharedUrl },
    // The same tile as a IIIF viewer asks for it (region and size on the tile grid).
    {
      name: 'IIIF tile as a viewer asks (200)',
      url: `${base}/v1/tilesets/${tileSetId}/iiif/768,512,256,256/256,/0/default.jpg`,
      headers: auth,
    },
  ];

  const nginx = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).stdout.trim();
  if (nginx) {
    const nginxPort = port + 1;
    const root = join(storage, 'tilesets', tileSetId);
    await chmod(work, 0o755); // nginx's workers run as another user (mkdtemp makes it 0700)
    const conf = join(work, 'nginx.conf');
    await mkdir(join(work, 'nginx'), { recursive: true });
    // Two servers in the one worker: as installed, and with the open-file cache the caching
    // proxy's configuration uses for its hits (the fair ceiling for it).
    const tunedPort = port + 2;
    await writeFile(
      conf,
      nginxConf(
        join(work, 'nginx'),
        `server { listen 127.0.0.1:${nginxPort}; root ${root}; }
  server { listen 127.0.0.1:${tunedPort}; root ${root}; open_file_cache max=4096 inactive=60s; open_file_cache_valid 60s; }`,
      ),
    );
    const server = spawn(nginx, ['-c', conf, '-p', work], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(server);
    let nginxErrors = '';
    server.stderr.on('data', (chunk: Buffer) => (nginxErrors += chunk.toString()));
    for (let i = 0; ; i++) {
      const up = await fetch(`http://127.0.0.1:${nginxPort}/`).then(
        () => true,
        () => false,
      );
      if (up) break;
      if (i === 50) throw new Error(`nginx did not start: ${nginxErrors}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Stored under tilesets/{id}/{level}/{col}_{row}.{format} (no image_files/ folder).
    cases.unshift({
      name: 'nginx, 1 worker (200)',
      url: `http://127.0.0.1:${nginxPort}/${tilePath.replace(/^image_files\//, '')}`,
    });
    // The same share-link tile through the caching proxy the compose stack runs (one worker).
    cachingProxy = await startCachingProxy(nginx, `127.0.0.1:${port}`);
    cases.push(
      { name: 'share-link tile via the caching proxy', url: sharedUrl.replace(base, cachingProxy.url) },
      {
        name: 'nginx, 1 worker, open_file_cache (200)',
        url: `http://127.0.0.1:${tunedPort}/${tilePath.replace(/^image_files\//, '')}`,
      },
    );
  } else {
    console.log('nginx is not installed: no reference row (apt-get install nginx-light)');
  }

  // wrk (C) when installed: autocannon runs in Node on the same two cores and tops out near
  // 2,000 tiles/s here, below what nginx serves. Otherwise autocannon, and say so.
  const wrk = spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).stdout.trim();
  console.log(
    `tile of ${bytes} bytes; ${CONNECTIONS} connections, ${SECONDS} s each, load from ${wrk ? 'wrk, 2 threads' : 'autocannon (install wrk for a load generator that does not cap the numbers)'}; node ${process.version}`,
  );
  const load = async (url: string, headers?: Record<string, string>) =>
    wrk ? loadWithWrk(wrk, url, headers) : loadWithAutocannon(url, headers);
  const rows: { name: string; rps: number; p50: number; p99: number; other: string }[] = [];
  for (const c of cases) {
    // (Twice if need be: a kept-alive connection may have been closed while idle.)
    const probe = await fetch(c.url, { headers: c.headers })
      .catch(() => fetch(c.url, { headers: c.headers }))
      .catch((error: Error) => {
        throw new Error(`${c.name}: ${c.url}`, { cause: error });
      });
    if (probe.status !== 200 && probe.status !== 304) throw new Error(`${c.name}: ${c.url} answered ${probe.status}`);
    rows.push({
      name: c.name,
      ...(await load(c.url, c.headers)),
    });
  }
  // The cache against nginx static: one 10 s run each is at the mercy of this shared host's
  // moods, so interleaved rounds (static, cache, static with open_file_cache), ratios within a
  // round, their median.
  const byName = (name: string) => cases.find((c) => c.name === name);
  const cacheTrio = [
    byName('nginx, 1 worker (200)'),
    byName('share-link tile via the caching proxy'),
    byName('nginx, 1 worker, open_file_cache (200)'),
  ];
  const cacheRounds: { static: number; cache: number; tuned: number }[] = [];
  if (cacheTrio.every(Boolean)) {
    for (let round = 0; round < CACHE_ROUNDS; round++) {
      const rps: number[] = [];
      for (const c of cacheTrio) rps.push((await load(c!.url, c!.headers)).rps);
      cacheRounds.push({ static: rps[0], cache: rps[1], tuned: rps[2] });
    }
  }

  // The same bearer tile from a cluster of two API processes (API_PROCESSES=2).
  await stop(api);
  api = await startApi(2);
  const bearer = cases.find((c) => c.name === 'bearer tile (200)')!;
  await fetch(bearer.url, { headers: bearer.headers }).then((r) => r.arrayBuffer());
  rows.push({
    name: 'bearer tile (200), API_PROCESSES=2',
    ...(await load(bearer.url, bearer.headers)),
  });

  const reference = rows.find((r) => r.name === 'nginx, 1 worker (200)');
  console.log('\n| case | req/s | p50 ms | p99 ms | vs nginx | statuses |\n|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${reference ? `${(r.rps / reference.rps).toFixed(3)}x` : '-'} | ${r.other} |`,
    );

  const row = (name: string) => rows.find((r) => r.name === name)!;
  const [ok, revalidated, shared, cluster] = [
    'bearer tile (200)',
    'bearer tile (304)',
    'share-link tile (200)',
    'bearer tile (200), API_PROCESSES=2',
  ].map(row);
  const measured = (r: (typeof rows)[number]) => `${thousands(r.rps)} req/s, p99 ${r.p99} ms`;
  const nearNginx = (r: (typeof rows)[number]) => ({
    value: measured(r),
    reference: reference ? `nginx ${measured(reference)}` : undefined,
    ratio: reference ? r.rps / reference.rps : undefined,
    goal: '>= 0.2x nginx, p99 <= 50 ms',
    met: reference ? r.rps / reference.rps >= 0.2 && r.p99 <= 50 : undefined,
  });
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const spread = (values: number[]) =>
    `median ${median(values).toFixed(2)}x (${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)})`;
  const vsStatic = cacheRounds.map((r) => r.cache / r.static);
  const vsTuned = cacheRounds.map((r) => r.cache / r.tuned);
  if (cacheRounds.length > 0) {
    console.log(
      '\n| round | nginx static | caching proxy (share link, warm) | static + open_file_cache | cache / static | cache / tuned |',
    );
    console.log('|---|---|---|---|---|---|');
    cacheRounds.forEach((r, i) =>
      console.log(
        `| ${i + 1} | ${thousands(r.static)} | ${thousands(r.cache)} | ${thousands(r.tuned)} | ${vsStatic[i].toFixed(3)}x | ${vsTuned[i].toFixed(3)}x |`,
      ),
    );
  }
  const iiifTile = row('IIIF tile as a viewer asks (200)');
  report([
    { bench: 'serving', what: 'tile GET, bearer token', ...nearNginx(ok) },
    ...(cacheRounds.length > 0
      ? [
          {
            bench: 'serving',
            what: `tile GET, share link through the caching proxy (warm), ${cacheRounds.length} rounds`,
            value: `${thousands(median(cacheRounds.map((r) => r.cache)))} req/s; ${spread(vsStatic)} of nginx static`,
            reference: `nginx static ${thousands(median(cacheRounds.map((r) => r.static)))} req/s`,
            ratio: median(vsStatic),
            goal: '>= 0.9x nginx static',
            met: median(vsStatic) >= 0.9,
          },
          {
            bench: 'serving',
            what: 'the same, against nginx static with open_file_cache (as the proxy has it)',
            value: spread(vsTuned),
            reference: `nginx + open_file_cache ${thousands(median(cacheRounds.map((r) => r.tuned)))} req/s`,
            ratio: median(vsTuned),
            goal: '(informative)',
            met: undefined,
          },
        ]
      : []),
    {
      bench: 'serving',
      what: 'tile GET, bearer token, 304',
      value: measured(revalidated),
      reference: `the 200: ${thousands(ok.rps)} req/s`,
      ratio: revalidated.rps / ok.rps,
      goal: 'faster than the 200',
      met: revalidated.rps > ok.rps,
    },
    { bench: 'serving', what: 'tile GET, share link', ...nearNginx(shared) },
    {
      bench: 'serving',
      what: 'IIIF tile-aligned GET, default tile set',
      value: measured(iiifTile),
      reference: `Deep Zoom tile: ${thousands(ok.rps)} req/s`,
      ratio: iiifTile.rps / ok.rps,
      goal: '>= 0.8x the Deep Zoom tile',
      met: iiifTile.rps / ok.rps >= 0.8,
    },
    {
      bench: 'serving',
      what: 'tile GET, bearer, API_PROCESSES=2',
      value: measured(cluster),
      reference: `one process: ${thousands(ok.rps)} req/s`,
      ratio: cluster.rps / ok.rps,
      goal: 'more than one process (wrk shares the cores)',
      met: cluster.rps > ok.rps,
    },
  ]);
} finally {
  await cachingProxy?.close();
  await Promise.all(children.map(stop));
  await database.drop();
  await rm(work, { recursive: true, force: true });
}
