/*
 * Imported first by every entry point (`import '#supported-node'`), before anything loads a
 * native addon: on an older Node, argon2's prebuilt binary crashes the process with a
 * segfault instead of an error. Imports nothing, so it runs before any other module.
 */
const MINIMUM = [22, 17] as const;

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < MINIMUM[0] || (major === MINIMUM[0] && minor < MINIMUM[1])) {
  process.stderr.write(
    `Tessera needs Node.js ${MINIMUM.join('.')} or newer; this is ${process.version} (${process.execPath}).\n` +
      "Run it through npm (`npm start`, `npm run start:worker`), which uses the project's own Node 24 " +
      '(node_modules/.bin/node), or install Node.js 24 LTS.\n',
  );
  process.exit(1);
}

export {};
