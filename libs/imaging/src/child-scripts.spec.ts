import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { childScript } from './isolated-process.js';

/**
 * A cut or a render runs in a process of its own, one per job: whatever its script reaches,
 * even through a barrel, is loaded every time. The #panoramas barrel (its Nest module, the
 * ORM) once cost each render 0.7 s. This imports each compiled child script in a fresh Node
 * with a resolve hook and lists what it loaded.
 */
const LIST_LOADED = `
import { registerHooks } from 'node:module';
const loaded = [];
registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    loaded.push(resolved.url);
    return resolved;
  },
});
await import(process.argv[1]);
process.stdout.write(JSON.stringify(loaded));
`;

const FRAMEWORKS =
  /\/node_modules\/(@nestjs|@mikro-orm|@aws-sdk|@smithy|pg-boss|pg|express|zod|pino|class-validator)\//;

async function loadedBy(script: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', LIST_LOADED, childScript(script)],
    { env: { ...process.env, NODE_OPTIONS: '' } },
  );
  return JSON.parse(stdout) as string[];
}

it.each(['cut-child', 'render-child'])('%s loads libvips and Node, no framework', async (script) => {
  const loaded = await loadedBy(script);
  expect(loaded.some((url) => url.includes('/node_modules/sharp/'))).toBe(true);
  expect(loaded.filter((url) => FRAMEWORKS.test(url))).toEqual([]);
});
