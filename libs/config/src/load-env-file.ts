import { existsSync } from 'node:fs';

/** Loads `.env` from the working directory if there is one (real env vars win). */
export function loadEnvFile(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
