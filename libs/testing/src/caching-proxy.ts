import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nginx configuration the compose stack ships (deploy/nginx/tessera.conf.template). */
export const NGINX_TEMPLATE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'deploy',
  'nginx',
  'tessera.conf.template',
);

/** The nginx binary on this machine (Debian's nginx-light), or null. */
export function findNginx(): string | null {
  for (const candidate of ['nginx', '/usr/sbin/nginx']) {
    const found = spawnSync('sh', ['-c', `command -v ${candidate}`], { encoding: 'utf8' }).stdout.trim();
    if (found) return found;
  }
  return null;
}

export interface CachingProxy {
  /** http://127.0.0.1:{port} */
  url: string;
  close(): Promise<void>;
}

/**
 * nginx with the repository's own cache configuration (deploy/nginx/tessera.conf.template,
 * filled in as the compose stack's nginx image does) in front of `upstream` (host:port), in
 * a scratch directory: its cache, temp files and log. One worker process.
 */
export async function startCachingProxy(nginx: string, upstream: string): Promise<CachingProxy> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-nginx-'));
  await chmod(dir, 0o755); // the workers may run as another user
  await mkdir(join(dir, 'cache'));
  const template = await readFile(NGINX_TEMPLATE, 'utf8');
  for (let attempt = 0; ; attempt++) {
    // Below the ephemeral range, as stablePortCandidate (no import: the benchmarks load this
    // file as it is, with Node's type stripping).
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const values: Record<string, string> = {
      TESSERA_UPSTREAM: upstream,
      LISTEN_PORT: `127.0.0.1:${port}`,
      CACHE_DIR: join(dir, 'cache'),
      CACHE_MAX_SIZE: '256m',
    };
    const site = template.replace(/\$\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
    await writeFile(join(dir, 'tessera.conf'), site);
    await writeFile(join(dir, 'nginx.conf'), nginxConf(dir, `include ${join(dir, 'tessera.conf')};`));
    const started = spawn(nginx, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    started.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let gone = false;
    const exited = new Promise<number | null>((resolve) => started.once('exit', resolve)).finally(() => (gone = true));
    // Up once it accepts a connection; gone if it exits first (a port taken: try another).
    const up = await listening(port, () => gone);
    if (up) {
      const close = async () => {
        started.kill('SIGTERM');
        await exited;
        await rm(dir, { recursive: true, force: true });
      };
      return { url: `http://127.0.0.1:${port}`, close };
    }
    if (!/Address already in use/.test(stderr) || attempt >= 10) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`nginx did not start: ${stderr}`);
    }
  }
}

/** True once something accepts connections on the port (tried every 50 ms); false once `gone()`. */
async function listening(port: number, gone: () => boolean): Promise<boolean> {
  for (;;) {
    if (gone()) return false;
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return !gone();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A whole nginx.conf for one worker in the foreground, its pid, log and temp files in `dir`,
 * `http` settings as the nginx image's own (sendfile, no access log), and `inHttp` inside.
 */
export function nginxConf(dir: string, inHttp: string): string {
  return `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 100000;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  ${inHttp}
}
`;
}
