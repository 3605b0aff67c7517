/**
 * npm run bench:scale — N worker processes on one queue against one, each with one libvips
 * thread (IMAGE_THREADS=1), so that a worker needs about one core.
 *
 * For each N in BENCH_WORKERS (default "1,2"): a throwaway database, the built API without
 * embedded consumers and N built workers; once all are up, BENCH_IMAGES different busy
 * JPEGs (default 6, BENCH_WIDTH x BENCH_HEIGHT, default 8000x4000) are uploaded through
 * POST /v1/panoramas, one after the other. The time is the makespan of the tiling jobs, from
 * the first tile set's `startedAt` to the last one's `completedAt` (the service's own
 * timestamps). Prints it, megapixels per second, the speed-up over one worker, the
 * efficiency (speed-up / N), the mean job time and the CPU seconds the workers and the API
 * used (from /proc), whose ratio to the megapixels is what a projection can build on.
 *
 * Needs `npm run build` and a PostgreSQL (TEST_DATABASE_URL, else 127.0.0.1:5432). The API,
 * PostgreSQL and this process share the machine with the workers: on 2 cores, two workers
 * do not get a core each (docs/benchmarks.md, Scale).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BenchResult,
  cpuSeconds,
  makeBusyJpeg,
  report,
  startDeployment,
  uploadForTiling,
  whenReady,
} from './support.ts';

const WIDTH = Number(process.env.BENCH_WIDTH ?? 8_000);
const HEIGHT = Number(process.env.BENCH_HEIGHT ?? 4_000);
const IMAGES = Number(process.env.BENCH_IMAGES ?? 6);
const WORKERS = (process.env.BENCH_WORKERS ?? '1,2').split(',').map(Number);

interface TileSetTimes {
  startedAt: string;
  completedAt: string;
  tileCount: number;
}

async function cutWith(
  workers: number,
  images: string[],
  root: string,
): Promise<{ seconds: number; tiles: number; meanJob: number; workerCpu: number; apiCpu: number }> {
  const deployment = await startDeployment(root, { IMAGE_THREADS: '1' });
  try {
    const { base, auth } = deployment;
    // Every worker up before the first job: one starting while another already cuts would
    // count its start-up against the makespan (and take CPU from the cut).
    const started = Array.from({ length: workers }, () => deployment.worker());
    await Promise.all(started.map((w) => w.ready));
    const cpu = () => Promise.all([deployment.api, ...started.map((w) => w.child)].map((c) => cpuSeconds(c.pid!)));
    const before = await cpu();
    const tileSetIds: string[] = [];
    for (const image of images) tileSetIds.push(await uploadForTiling(base, auth, image));
    await Promise.all(tileSetIds.map((id) => whenReady(base, auth, id)));
    const [apiCpu, ...workerCpu] = (await cpu()).map((after, i) => after - before[i]);
    const times = await Promise.all(
      tileSetIds.map(
        async (id) => (await (await fetch(`${base}/v1/tilesets/${id}`, { headers: auth })).json()) as TileSetTimes,
      ),
    );
    const first = Math.min(...times.map((t) => Date.parse(t.startedAt)));
    const last = Math.max(...times.map((t) => Date.parse(t.completedAt)));
    return {
      seconds: (last - first) / 1000,
      tiles: times.reduce((sum, t) => sum + t.tileCount, 0),
      meanJob:
        times.reduce((sum, t) => sum + Date.parse(t.completedAt) - Date.parse(t.startedAt), 0) / times.length / 1000,
      workerCpu: workerCpu.reduce((sum, s) => sum + s, 0),
      apiCpu,
    };
  } finally {
    await deployment.close();
  }
}

const work = await mkdtemp(join(tmpdir(), 'tessera-scale-bench-'));
try {
  process.stdout.write(`making ${IMAGES} different ${WIDTH}x${HEIGHT} JPEGs... `);
  const images: string[] = [];
  for (let i = 0; i < IMAGES; i++) {
    images.push(join(work, `source-${i}.jpg`));
    await makeBusyJpeg(images[i], WIDTH, HEIGHT); // random noise: no two alike, so none de-duplicated
  }
  console.log('done');
  const megapixels = (IMAGES * WIDTH * HEIGHT) / 1e6;
  console.log(
    `\n${IMAGES} panoramas of ${WIDTH}x${HEIGHT} (${megapixels.toFixed(0)} MP in all), IMAGE_THREADS=1 per worker`,
  );
  console.log(
    '| workers | makespan | MP/s | tiles | speed-up | efficiency | mean job | CPU s, workers | CPU s, API | MP per worker CPU s |\n|---|---|---|---|---|---|---|---|---|---|',
  );
  let one: number | undefined;
  const results: BenchResult[] = [];
  for (const n of WORKERS) {
    const { seconds, tiles, meanJob, workerCpu, apiCpu } = await cutWith(n, images, join(work, `run-${n}`));
    one ??= n === 1 ? seconds : undefined;
    const speedUp = one ? one / seconds : NaN;
    console.log(
      `| ${n} | ${seconds.toFixed(2)} s | ${(megapixels / seconds).toFixed(1)} | ${tiles} | ${one ? `${speedUp.toFixed(2)}x` : '-'} | ${one ? `${((100 * speedUp) / n).toFixed(0)}%` : '-'} | ${meanJob.toFixed(2)} s | ${workerCpu.toFixed(1)} | ${apiCpu.toFixed(1)} | ${(megapixels / workerCpu).toFixed(1)} |`,
    );
    if (one && n > 1)
      results.push({
        bench: 'scale',
        what: `${IMAGES} panoramas, ${n} workers (IMAGE_THREADS=1)`,
        value: `${seconds.toFixed(2)} s, ${(megapixels / seconds).toFixed(1)} MP/s`,
        reference: `1 worker ${one.toFixed(2)} s`,
        ratio: speedUp,
        // "About N times": at least 90% of a perfect speed-up.
        goal: `about ${n}x one worker`,
        met: speedUp >= 0.9 * n,
      });
  }
  report(results);
} finally {
  await rm(work, { recursive: true, force: true });
}
