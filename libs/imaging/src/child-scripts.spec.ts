import { modulesLoadedBy } from '#testing';
import { childScript } from './isolated-process.js';

/**
 * A cut or a render runs in a process of its own, one per job: whatever its script reaches,
 * even through a barrel, is loaded every time. The #panoramas barrel (its Nest module, the
 * ORM) once cost each render 0.7 s. This imports each compiled child script in a fresh Node
 * and lists what it loaded.
 */
const FRAMEWORKS =
  /\/node_modules\/(@nestjs|@mikro-orm|@aws-sdk|@smithy|pg-boss|pg|express|zod|pino|class-validator)\//;

it.each(['cut-child', 'render-child'])('%s loads libvips and Node, no framework', async (script) => {
  const loaded = await modulesLoadedBy(`await import(${JSON.stringify(childScript(script))});`);
  expect(loaded.some((url) => url.includes('/node_modules/sharp/'))).toBe(true);
  expect(loaded.filter((url) => FRAMEWORKS.test(url))).toEqual([]);
});
