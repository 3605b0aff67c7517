/**
 * Architecture rules, checked in CI by `npm run lint:arch` (part of `npm test`).
 * See docs/architecture.md for why each exists.
 */
const FRAMEWORKS =
  '(@nestjs|@mikro-orm|@aws-sdk|@smithy|sharp|pg-boss|pg|express|class-validator|class-transformer|argon2|helmet|nestjs-pino|pino|zod|openapi-fetch)';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-framework-free',
      comment: 'domain/ holds plain TypeScript: no framework, ORM, image, cloud or queue package.',
      severity: 'error',
      from: { path: '^libs/[^/]+/src/domain/' },
      to: { path: `node_modules/${FRAMEWORKS}/` },
    },
    {
      name: 'domain-depends-only-on-domain',
      comment: "domain/ may import its own module's domain and the shared kernel, nothing else of ours.",
      severity: 'error',
      from: { path: '^libs/([^/]+)/src/domain/' },
      to: { path: '^(apps|libs|packages)/', pathNot: ['^libs/$1/src/domain/', '^libs/shared-kernel/src/'] },
    },
    {
      name: 'shared-kernel-is-framework-free',
      severity: 'error',
      from: { path: '^libs/shared-kernel/' },
      to: { path: `node_modules/${FRAMEWORKS}/` },
    },
    {
      name: 'application-does-not-use-adapters',
      comment:
        'Use cases talk to ports; adapters (persistence, storage, imaging, queue) are bound by modules. (Their tests may wire real adapters.)',
      severity: 'error',
      from: { path: '^libs/[^/]+/src/application/', pathNot: '\\.spec\\.ts$' },
      to: {
        path: [
          '^libs/(persistence|storage|imaging|queue)/',
          '^libs/[^/]+/src/infrastructure/',
          `node_modules/(@mikro-orm|@aws-sdk|sharp|pg-boss|pg|argon2)/`,
        ],
      },
    },
    {
      name: 'tiles-does-not-know-panoramas',
      comment:
        'Dependencies between nouns point one way: panoramas -> tiles (a tile set carries the facts of its source).',
      severity: 'error',
      from: { path: '^libs/tiles/' },
      to: { path: '^libs/panoramas/' },
    },
    {
      name: 'derived-images-do-not-know-each-other',
      comment: 'Renditions and tiles are both derived from panoramas; neither depends on the other.',
      severity: 'error',
      from: { path: '^libs/(tiles|renditions)/' },
      to: { path: '^libs/(renditions|tiles)/', pathNot: '^libs/$1/' },
    },
    {
      name: 'config-knows-no-module',
      comment:
        'libs/config is the platform: it carries variables; each noun parses its own settings (e.g. renditions.config.ts) and the apps pass its check to loadConfig.',
      severity: 'error',
      from: { path: '^libs/config/' },
      to: { path: '^libs/', pathNot: ['^libs/config/', '^libs/shared-kernel/'] },
    },
    {
      name: 'workflows-are-above-the-nouns',
      comment:
        'libs/workflows composes panoramas, tiles and renditions (ingest, the panorama with its derivatives, the full integrity check); no noun or adapter knows it.',
      severity: 'error',
      from: { path: '^libs/', pathNot: ['^libs/(workflows|consumers|testing)/'] },
      to: { path: '^libs/workflows/' },
    },
    {
      name: 'edge-share-is-below-the-resources',
      comment:
        "The API's folders point one way: uploads -> panoramas -> tilesets, renditions -> share. share/ (signing, its guard, the answers' shape) knows no resource folder.",
      severity: 'error',
      from: { path: '^apps/api/src/share/' },
      to: { path: '^apps/api/src/(panoramas|tilesets|renditions|uploads|images|admin)/' },
    },
    {
      name: 'edge-derived-folders-do-not-know-panoramas',
      comment: 'tilesets/ and renditions/ serve derived images; panoramas/ composes them, not the other way round.',
      severity: 'error',
      from: { path: '^apps/api/src/(tilesets|renditions)/' },
      to: { path: '^apps/api/src/(panoramas|uploads)/' },
    },
    {
      name: 'edge-derived-folders-do-not-know-each-other',
      severity: 'error',
      from: { path: '^apps/api/src/(tilesets|renditions)/' },
      to: { path: '^apps/api/src/(tilesets|renditions)/', pathNot: '^apps/api/src/$1/' },
    },
    {
      name: 'apps-do-not-import-apps',
      comment: 'What two apps share lives in a lib (the queue consumers are libs/consumers).',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'production-code-does-not-import-testing',
      severity: 'error',
      from: { path: '^(apps|libs|packages)/', pathNot: ['\\.spec\\.ts$', '^libs/testing/'] },
      to: { path: '^libs/testing/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.d\\.ts$)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.json'],
      conditionNames: ['types', 'import', 'node', 'default'],
      exportsFields: ['exports'],
      mainFields: ['types', 'module', 'main'],
    },
  },
};
