// typescript-eslint's type-checked recommendations. The departures are few and deliberate:
// - require-await: off. In-memory ports and adapters implement async port methods without
//   awaiting anything; `async` still turns a throw into a rejection, which callers rely on.
// - no-unused-vars: `_`-prefixed names are intentionally unused (tsc's noUnused* covers the rest).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'packages/client/src/schema.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    rules: {
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // HttpStatus is a numeric enum of the same numbers; comparing a status to it is intended.
    rules: { '@typescript-eslint/no-unsafe-enum-comparison': 'off' },
  },
  {
    // An error a module throws extends that module's abstract base (TilesError...), whose
    // `code` is its code list: straight from DomainError, any string would compile and a
    // code missing from the edge's status map would answer 500.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/testing/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ClassDeclaration[abstract!=true][superClass.name='DomainError']",
          message: "Extend the module's own error base (e.g. TilesError), not DomainError.",
        },
      ],
    },
  },
  {
    // Tests and benchmarks parse JSON and poke at loosely typed bodies on purpose.
    files: ['test/**', '**/*.spec.ts', 'libs/testing/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Pages served to browsers.
    files: ['apps/api/src/**/assets/**/*.js'],
    languageOptions: { globals: { ...globals.browser, OpenSeadragon: 'readonly' } },
  },
);
