/**
 * npm run bench — every benchmark with a goal (serving, tiling, upload, scale), one after
 * the other, each in its own process with its output shown as it runs; then one table of
 * what each measured against its reference and goal, with the date and the machine, ready
 * for docs/benchmarks.md. A benchmark that cannot run (nginx, vips or PostgreSQL missing) is named
 * under the table and the others still run. BENCH_ONLY=serving,scale runs a subset.
 */
import { spawn } from 'node:child_process';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { type BenchResult, resultsIn } from './support.ts';

const BENCHES = [
  { name: 'serving', script: 'bench/serving.ts' },
  { name: 'iiif-peer', script: 'bench/iiif-peer.ts' },
  { name: 'tiling', script: 'bench/tiling.ts' },
  { name: 'upload', script: 'bench/upload-memory.ts' },
  { name: 'direct-upload', script: 'bench/direct-upload.ts' },
  { name: 'scale', script: 'bench/scale.ts' },
];
const only = process.env.BENCH_ONLY?.split(',');

function run(script: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

const results: BenchResult[] = [];
const failed: string[] = [];
for (const bench of BENCHES.filter((b) => !only || only.includes(b.name))) {
  console.log(`\n=== npm run bench:${bench.name} ===`);
  const { code, output } = await run(bench.script);
  if (code !== 0) failed.push(`${bench.name} (exit ${code})`);
  results.push(...resultsIn(output));
}

const cell = (text: string | undefined) => (text ?? '').replace(/\|/g, '\\|');
console.log(
  `\n${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${availableParallelism()} cores, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}\n`,
);
console.log('| benchmark | what | measured | reference | ratio | goal | met |\n|---|---|---|---|---|---|---|');
for (const r of results) {
  const met = r.met === undefined ? '' : r.met ? 'yes' : '**no**';
  console.log(
    `| ${r.bench} | ${cell(r.what)} | ${cell(r.value)} | ${cell(r.reference)} | ${r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`} | ${cell(r.goal)} | ${met} |`,
  );
}
if (failed.length > 0) {
  console.log(`\nDid not finish: ${failed.join(', ')} (see its output above).`);
  process.exitCode = 1;
}
