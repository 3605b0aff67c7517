import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository's root: `#`-imports in a script resolve through its package.json to dist/. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Every module URL a fresh Node resolves while it runs `script` (the source of an ES module,
 * run in the repository's root, so `#config` or `#storage` are the built ones in dist/):
 * what a process that does the same would load. Made for checks that a process does not
 * load a framework or an SDK it does not need.
 */
export async function modulesLoadedBy(script: string): Promise<string[]> {
  const program = `
import { registerHooks } from 'node:module';
const loaded = [];
registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    loaded.push(resolved.url);
    return resolved;
  },
});
${script}
process.stdout.write('\\n' + JSON.stringify(loaded));
`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', program], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return JSON.parse(stdout.slice(stdout.lastIndexOf('\n') + 1)) as string[];
}

/** The npm packages among `urls` (`@aws-sdk/client-s3`, `sharp`), each once. */
export function packagesAmong(urls: readonly string[]): string[] {
  const names = urls.flatMap((url) => {
    if (!url.includes('/node_modules/')) return [];
    const [first, second] = url.split('/node_modules/').pop()!.split('/');
    return [first.startsWith('@') ? `${first}/${second}` : first];
  });
  return [...new Set(names)].sort();
}

/** The npm packages a fresh Node loads while it runs `script` (see modulesLoadedBy). */
export async function packagesLoadedBy(script: string): Promise<string[]> {
  return packagesAmong(await modulesLoadedBy(script));
}
