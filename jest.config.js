/**
 * Two projects: `unit` (*.spec.ts beside the code: use cases on in-memory ports, pure
 * functions, adapters that need no server) and `e2e` (test/**: the real apps against the
 * real PostgreSQL, over HTTP, through the generated client).
 */
const aliases = [
  'shared-kernel',
  'config',
  'users',
  'persistence',
  'queue',
  'storage',
  'imaging',
  'panoramas',
  'tiles',
  'renditions',
  'sharing',
  'webhooks',
  'collections',
  'workflows',
  'consumers',
  'testing',
];

const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  setupFiles: ['<rootDir>/test/setup/jest.setup.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2023',
        },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    ...Object.fromEntries(aliases.map((name) => [`^#${name}$`, `<rootDir>/libs/${name}/src/index.ts`])),
    '^#renditions/domain$': '<rootDir>/libs/renditions/src/domain/index.ts',
    '^#panoramas/domain$': '<rootDir>/libs/panoramas/src/domain/index.ts',
    '^#storage/s3$': '<rootDir>/libs/storage/src/s3.ts',
    '^#client$': '<rootDir>/packages/client/src/index.ts',
    '^#supported-node$': '<rootDir>/libs/config/src/supported-node.ts',
  },
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], slowTestThreshold: 30 },
  ],
  // A bound for a hang, not a speed check: on a slow, loaded 2-core machine the longest test
  // (stored-keys: a restart, a cluster, a rotation) took 57 s quiet and over 60 s loaded.
  testTimeout: 180_000,
  // Two suites at a time on two cores: every suite has its own database, ports and temp
  // directories, and waits for events, not clocks (jest's default is cores - 1: one).
  maxWorkers: 2,
  // A worker keeps every suite's modules it ran: Node does not collect evaluated vm modules
  // (nodejs/node#63186; a heap snapshot here shows each suite's Nest app reachable through
  // Node's module registry), about 65 MB of heap per e2e suite. A fat worker is slow: its
  // collector marks gigabytes and every child process it forks (a cut, a render) copies its
  // page tables. A worker past this much heap after a suite is replaced by a fresh one.
  workerIdleMemoryLimit: '300MB',
  // Finds (or starts) PostgreSQL and Chromium once per run: see test/setup/test-services.mjs.
  globalSetup: '<rootDir>/test/setup/global-setup.mjs',
  globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
  testSequencer: '<rootDir>/test/setup/sequencer.mjs',
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.js'],
};
