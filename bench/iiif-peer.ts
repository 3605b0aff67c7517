/**
 * npm run bench:iiif-peer — Tessera's IIIF Image API side by side with IIPImage (a peer IIIF
 * server: Debian's iipimage-server, one FastCGI process behind nginx with one worker) on
 * the same image, in the same run:
 *
 * - IIIF tiles as a viewer asks for them: every tile of the three deepest levels of the
 *   default tile grid (256 px), as region and size, in one shuffled list both servers are
 *   given (wrk cycles through it, 64 connections). Tessera answers them from its default
 *   tile set (overlap 0); IIPImage from a tiled pyramidal JPEG TIFF of the same image made by
 *   `vips tiffsave` at the same quality.
 * - Renders that are not tiles (4 connections): `full/1024,` and a 3000x3000 region at
 *   `!512,512`.
 *
 * Rounds are interleaved (Tessera, IIPImage, Tessera, IIPImage...), BENCH_ROUNDS of them,
 * BENCH_SECONDS each; each round's ratio is taken within the round. Server CPU per request
 * from /proc: the API process for Tessera, iipsrv plus the nginx worker for IIPImage. Also
 * a Deep Zoom tile list of the same tiles against Tessera, for the IIIF/DZI ratio, and
 * against nginx serving the same files; then the same list with no tile cache
 * (TILE_CACHE_BYTES=0, every tile read from disk), the API restarted with tiles read in the
 * event loop (STORAGE_LOCAL_READS=blocking, the default) and then on libuv's threads
 * (threadpool), for what the blocking read buys.
 *
 * Needs `npm run build`, PostgreSQL as for the tests, wrk, nginx, vips and iipsrv
 * (apt-get install wrk nginx-light libvips-tools iipimage-server); without them it says what
 * is missing and exits.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nginxConf } from '../libs/testing/src/caching-proxy.ts';
import {
  cpuSeconds,
  login,
  makeBusyJpeg,
  report,
  startBuilt,
  stop,
  throwawayDatabase,
  uploadForTiling,
  waitForOutput,
  whenReady,
} from './support.ts';

const WIDTH = Number(process.env.BENCH_WIDTH ?? 20_000);
const HEIGHT = Number(process.env.BENCH_HEIGHT ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TILE = 256;
const QUALITY = 85; // the default tile set's JPEG quality, given to both
const IIPSRV = process.env.IIPSRV ?? '/usr/lib/iipimage-server/iipsrv.fcgi';

const which = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim();
const tools = { wrk: which('wrk'), nginx: which('nginx') || which('/usr/sbin/nginx'), vips: which('vips') };
const missing = Object.entries(tools)
  .filter(([, path]) => !path)
  .map(([name]) => name);
if (spawnSync('test', ['-x', IIPSRV]).status !== 0) missing.push(`iipsrv (${IIPSRV})`);
if (missing.length > 0) {
  console.log(
    `bench:iiif-peer needs ${missing.join(', ')} (apt-get install wrk nginx-light libvips-tools iipimage-server)`,
  );
  process.exit(0);
}

/** One tile of a level, as region and size of the full image (IIIF 3, `w,` sizes as viewers ask). */
function tileRequests(width: number, height: number, levels: number) {
  const requests: { region: string; size: string; level: number; col: number; row: number }[] = [];
  const maxLevel = Math.ceil(Math.log2(Math.max(width, height)));
  for (let down = 0; down < levels; down++) {
    const scale = 2 ** down;
    const span = TILE * scale;
    for (let y = 0; y * span < height; y++) {
      for (let x = 0; x * span < width; x++) {
        const w = Math.min(span, width - x * span);
        const h = Math.min(span, height - y * span);
        requests.push({
          region: `${x * span},${y * span},${w},${h}`,
          size: `${Math.ceil(w / scale)},`,
          level: maxLevel - down,
          col: x,
          row: y,
        });
      }
    }
  }
  for (let i = requests.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [requests[i], requests[j]] = [requests[j], requests[i]];
  }
  return requests;
}

/** wrk through a list of paths (a Lua script cycling through them), `connections` at once. */
async function load(base: string, paths: string[], connections: number, headers: Record<string, string> = {}) {
  const list = join(work, `paths-${randomBytes(4).toString('hex')}.txt`);
  await writeFile(list, paths.join('\n') + '\n');
  const script = join(work, 'paths.lua');
  await writeFile(
    script,
    `local paths = {}
for line in io.lines("${list}") do paths[#paths + 1] = line end
local i = 0
function setup(thread) thread:set("start", math.random(#paths)) end
function init() i = start or 0 end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
`,
  );
  const args = [
    '-t2',
    `-c${connections}`,
    `-d${SECONDS}s`,
    '--latency',
    '-s',
    script,
    ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    base,
  ];
  const out = spawnSync(tools.wrk, args, { encoding: 'utf8' }).stdout;
  const ms = (label: string) => {
    const m = new RegExp(`\\s${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    return m ? Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[m[2]] : NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  if (process.env.BENCH_VERBOSE) console.log(out);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    requests,
    non2xx,
    errors: /Socket errors: (.*)/.exec(out)?.[1],
    p50: ms('50'),
    p99: ms('99'),
  };
}

const failures = (r: { non2xx: number; errors?: string }) =>
  `${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}${r.errors ? `, socket errors: ${r.errors}` : ''}`;

const work = await mkdtemp(join(tmpdir(), 'tessera-iiif-peer-'));
const database = await throwawayDatabase();
const children: ChildProcess[] = [];
try {
  await chmod(work, 0o755); // nginx's and iipsrv's users read from here
  const image = join(work, 'bench.jpg');
  process.stdout.write(`making a ${WIDTH}x${HEIGHT} busy JPEG... `);
  await makeBusyJpeg(image, WIDTH, HEIGHT);
  console.log('done');

  // IIPImage's input: a tiled pyramidal TIFF of the same image, JPEG tiles at the same quality.
  const tiff = join(work, 'bench.tif');
  const made = spawnSync(tools.vips, [
    'tiffsave',
    image,
    tiff,
    '--tile',
    '--pyramid',
    '--compression',
    'jpeg',
    '-Q',
    String(QUALITY),
    '--tile-width',
    String(TILE),
    '--tile-height',
    String(TILE),
  ]);
  if (made.status !== 0) throw new Error(`vips tiffsave failed: ${String(made.stderr)}`);

  const iipPort = 39_000 + Math.floor(Math.random() * 500);
  const iip = spawn(IIPSRV, ['--bind', `127.0.0.1:${iipPort}`], {
    env: {
      ...process.env,
      FILESYSTEM_PREFIX: `${work}/`,
      VERBOSITY: '0',
      JPEG_QUALITY: String(QUALITY),
      MAX_CVT: '5000',
    },
    stdio: 'ignore',
  });
  children.push(iip);
  const nginxPort = iipPort + 1;
  // The same nginx serves Tessera's tile files from disk too (the reference for Deep Zoom tiles).
  const staticPort = iipPort + 3;
  await mkdir(join(work, 'nginx'), { recursive: true });
  const conf = join(work, 'nginx.conf');
  await writeFile(
    conf,
    nginxConf(
      join(work, 'nginx'),
      // A connection per request, as IIPImage's nginx example has it: iipsrv serves one
      // connection at a time, so a pool of kept-alive ones stalls requests behind an idle one
      // (nginx answered 504 after its 60 s timeout).
      `server {
    listen 127.0.0.1:${nginxPort};
    location /fcgi-bin/iipsrv.fcgi {
      fastcgi_pass 127.0.0.1:${iipPort};
      fastcgi_param QUERY_STRING $query_string;
      fastcgi_param REQUEST_METHOD $request_method;
      fastcgi_param REQUEST_URI $request_uri;
      fastcgi_param SERVER_PROTOCOL $server_protocol;
      fastcgi_param SERVER_NAME $server_name;
      fastcgi_param SERVER_PORT $server_port;
      fastcgi_param HTTP_HOST $host;
    }
  }
  server { listen 127.0.0.1:${staticPort}; root ${join(work, 'storage', 'tilesets')}; }`,
    ),
  );
  const nginx = spawn(tools.nginx, ['-c', conf, '-p', work], { stdio: 'ignore' });
  children.push(nginx);
  const iipBase = `http://127.0.0.1:${nginxPort}`;
  const iipPath = (region: string, size: string) =>
    `/fcgi-bin/iipsrv.fcgi?IIIF=bench.tif/${region}/${size}/0/default.jpg`;
  for (let i = 0; ; i++) {
    const info = await fetch(`${iipBase}/fcgi-bin/iipsrv.fcgi?IIIF=bench.tif/info.json`).catch(() => null);
    if (info?.ok) break;
    if (i === 100) throw new Error(`IIPImage behind nginx did not answer (${info?.status ?? 'no answer'})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const nginxWorkers = spawnSync('pgrep', ['-P', String(nginx.pid)], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n')
    .filter(Boolean)
    .map(Number);
  const iipCpu = async () => {
    let sum = await cpuSeconds(iip.pid!);
    for (const worker of nginxWorkers) sum += await cpuSeconds(worker);
    return sum;
  };

  const port = iipPort + 2;
  // BENCH_PROFILE=dir: the API's CPU profile for the whole run (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const startApi = async (reads: 'blocking' | 'threadpool', tileCacheBytes = process.env.BENCH_TILE_CACHE_BYTES) => {
    const started = startBuilt(
      'dist/apps/api/src/main.js',
      {
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        STORAGE_LOCAL_ROOT: join(work, 'storage'),
        STORAGE_LOCAL_READS: reads,
        UPLOAD_TMP_DIR: join(work, 'tmp'),
        TILING_WORK_DIR: join(work, 'tiling'),
        UPLOAD_RESUMABLE_DIR: join(work, 'resumable'),
        ADMIN_EMAIL: 'bench@example.com',
        ADMIN_PASSWORD: 'bench admin password',
        NODE_ENV: 'test',
        THROTTLE_TILES_LIMIT: '10000000',
        THROTTLE_LIMIT: '1000000',
        RENDITION_PRESETS: '',
        ...(tileCacheBytes ? { TILE_CACHE_BYTES: tileCacheBytes } : {}),
      },
      profile,
    );
    children.push(started);
    await waitForOutput(started, 'listening');
    return started;
  };
  let api = await startApi('blocking');
  const base = `http://127.0.0.1:${port}`;
  const auth = await login(base, 'bench@example.com', 'bench admin password');
  process.stdout.write('uploading and cutting the same image... ');
  const tileSetId = await uploadForTiling(base, auth, image);
  await whenReady(base, auth, tileSetId);
  console.log('ready');
  const ours = (region: string, size: string) => `/v1/tilesets/${tileSetId}/iiif/${region}/${size}/0/default.jpg`;
  const apiCpu = () => cpuSeconds(api.pid!);

  const tiles = tileRequests(WIDTH, HEIGHT, 3);
  // Every request answers 200 on both before anything is timed.
  for (const t of tiles.slice(0, 20)) {
    const [a, b] = await Promise.all([
      fetch(`${base}${ours(t.region, t.size)}`, { headers: auth }),
      fetch(`${iipBase}${iipPath(t.region, t.size)}`),
    ]);
    if (a.status !== 200 || b.status !== 200)
      throw new Error(`${t.region}/${t.size}: Tessera ${a.status}, IIPImage ${b.status}`);
  }
  const dziPaths = tiles.map((t) => `/v1/tilesets/${tileSetId}/image_files/${t.level}/${t.col}_${t.row}.jpeg`);
  const cases = [
    {
      name: 'IIIF viewer tiles',
      connections: 64,
      ours: tiles.map((t) => ours(t.region, t.size)),
      peer: tiles.map((t) => iipPath(t.region, t.size)),
    },
    { name: 'IIIF full/1024,', connections: 4, ours: [ours('full', '1024,')], peer: [iipPath('full', '1024,')] },
    {
      name: 'IIIF 3000x3000 region at !512,512',
      connections: 4,
      ours: [ours('4000,3000,3000,3000', '!512,512')],
      peer: [iipPath('4000,3000,3000,3000', '!512,512')],
    },
  ];

  console.log(
    `${WIDTH}x${HEIGHT}, ${tiles.length} tiles in the list; ${ROUNDS} interleaved rounds of ${SECONDS} s; wrk 2 threads`,
  );
  const results = [];
  for (const c of cases) {
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    const lines: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let before = await apiCpu();
      const a = await load(base, c.ours, c.connections, auth);
      const aCpu = ((await apiCpu()) - before) / a.requests;
      before = await iipCpu();
      const b = await load(iipBase, c.peer, c.connections);
      const bCpu = ((await iipCpu()) - before) / b.requests;
      ratios.push(a.rps / b.rps);
      cpuRatios.push(aCpu / bCpu);
      lines.push(
        `  round ${round + 1}: Tessera ${a.rps.toFixed(0)} req/s (p50 ${a.p50.toFixed(1)} ms, p99 ${a.p99.toFixed(1)} ms, ` +
          `${(aCpu * 1000).toFixed(2)} ms CPU/req${failures(a)}); IIPImage ${b.rps.toFixed(0)} req/s ` +
          `(p50 ${b.p50.toFixed(1)} ms, p99 ${b.p99.toFixed(1)} ms, ${(bCpu * 1000).toFixed(2)} ms CPU/req` +
          `${failures(b)}): ${(a.rps / b.rps).toFixed(2)}x`,
      );
    }
    const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
    const range = (values: number[]) => `${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}`;
    console.log(`${c.name} (${c.connections} connections)\n${lines.join('\n')}`);
    results.push({
      name: c.name,
      rate: median(ratios),
      rates: range(ratios),
      cpu: median(cpuRatios),
      cpus: range(cpuRatios),
    });
  }

  // The same tiles as Deep Zoom paths against Tessera, for IIIF's cost over its own DZI, and
  // the same files from disk by nginx (one worker, as installed) for the Deep Zoom path's.
  const staticPaths = tiles.map((t) => `/${tileSetId}/${t.level}/${t.col}_${t.row}.jpeg`);
  const staticProbe = await fetch(`http://127.0.0.1:${staticPort}${staticPaths[0]}`);
  if (staticProbe.status !== 200) throw new Error(`nginx static answered ${staticProbe.status} for ${staticPaths[0]}`);
  const dziRates: number[] = [];
  const iiifRates: number[] = [];
  const staticRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    dziRates.push((await load(base, dziPaths, 64, auth)).rps);
    iiifRates.push((await load(base, cases[0].ours, 64, auth)).rps);
    staticRates.push((await load(`http://127.0.0.1:${staticPort}`, staticPaths, 64)).rps);
  }
  // The same list with no tile cache (every tile read from disk), read in the event loop and
  // then on libuv's threads, interleaved with nginx as above.
  const uncached: Record<'blocking' | 'threadpool', number[]> = { blocking: [], threadpool: [] };
  for (const reads of ['blocking', 'threadpool'] as const) {
    await stop(api);
    api = await startApi(reads, '0');
    for (let round = 0; round < ROUNDS; round++) {
      const rate = (await load(base, dziPaths, 64, auth)).rps;
      uncached[reads].push(rate / (await load(`http://127.0.0.1:${staticPort}`, staticPaths, 64)).rps);
    }
  }
  const sorted = (values: number[]) => [...values].sort((x, y) => x - y);
  const middle = (values: number[]) => sorted(values)[Math.floor(values.length / 2)];
  const iiifOverDzi = sorted(dziRates.map((d, i) => iiifRates[i] / d));
  const dziOverStatic = sorted(dziRates.map((d, i) => d / staticRates[i]));
  const spread = (values: number[]) =>
    `${middle(values).toFixed(2)}x (${sorted(values)[0].toFixed(2)}-${sorted(values).at(-1)!.toFixed(2)})`;
  const rates = (values: number[]) => values.map((r) => r.toFixed(0)).join(', ');
  console.log(
    `Tessera, the same tiles: Deep Zoom ${rates(dziRates)} req/s; IIIF ${rates(iiifRates)} req/s; ` +
      `nginx static on the same files ${rates(staticRates)} req/s; no tile cache, Deep Zoom / nginx: ` +
      `blocking reads ${spread(uncached.blocking)}, threadpool ${spread(uncached.threadpool)}`,
  );

  const [tilesResult, full, region] = results;
  report([
    {
      bench: 'iiif-peer',
      what: 'IIIF viewer tiles, default tile set, vs IIPImage',
      value: `${tilesResult.rate.toFixed(2)}x (${tilesResult.rates}); CPU/req ${tilesResult.cpu.toFixed(2)}x (${tilesResult.cpus})`,
      ratio: tilesResult.rate,
      goal: '>= 2x IIPImage',
      met: tilesResult.rate >= 2,
    },
    {
      bench: 'iiif-peer',
      what: 'IIIF viewer tiles vs our Deep Zoom tiles',
      value: `${iiifOverDzi[Math.floor(iiifOverDzi.length / 2)].toFixed(2)}x (${iiifOverDzi[0].toFixed(2)}-${iiifOverDzi.at(-1)!.toFixed(2)})`,
      ratio: iiifOverDzi[Math.floor(iiifOverDzi.length / 2)],
      goal: '>= 0.8x',
      met: iiifOverDzi[Math.floor(iiifOverDzi.length / 2)] >= 0.8,
    },
    {
      bench: 'iiif-peer',
      what: 'Deep Zoom tiles (bearer, one API process) vs nginx static, the same list',
      value: `${middle(dziOverStatic).toFixed(2)}x (${dziOverStatic[0].toFixed(2)}-${dziOverStatic.at(-1)!.toFixed(2)})`,
      ratio: middle(dziOverStatic),
      goal: '>= 0.4x',
      met: middle(dziOverStatic) >= 0.4,
    },
    {
      bench: 'iiif-peer',
      what: 'the same, no tile cache (TILE_CACHE_BYTES=0), reads blocking / threadpool',
      value: `${spread(uncached.blocking)} / ${spread(uncached.threadpool)}`,
      ratio: middle(uncached.blocking),
      goal: '(informative)',
    },
    ...[full, region].map((r) => ({
      bench: 'iiif-peer',
      what: `${r.name}, server CPU per request vs IIPImage`,
      value: `${r.cpu.toFixed(2)}x (${r.cpus}); rate ${r.rate.toFixed(2)}x (${r.rates})`,
      ratio: r.cpu,
      goal: '<= 2x',
      met: r.cpu <= 2,
    })),
  ]);
} finally {
  for (const child of children.reverse()) await stop(child);
  await database.drop();
  await rm(work, { recursive: true, force: true });
}
