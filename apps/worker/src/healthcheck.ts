import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Touched every 10 s by a live worker (see main.ts). */
export const WORKER_ALIVE_FILE = join(tmpdir(), 'tessera-worker.alive');

// `node dist/apps/worker/src/healthcheck.js`: exit 0 when the worker touched the file in the
// last minute (its event loop is alive), 1 otherwise. For container health checks.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let fresh: boolean;
  try {
    fresh = Date.now() - statSync(WORKER_ALIVE_FILE).mtimeMs < 60_000;
  } catch {
    fresh = false;
  }
  process.exit(fresh ? 0 : 1);
}
