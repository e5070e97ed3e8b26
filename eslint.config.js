// @ts-check
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Workflow code runs in Temporal's deterministic sandbox: no I/O, no Node built-ins.
const ioModules = [
  'pg',
  'pg-*',
  '@google-cloud/*',
  'pino',
  '@hono/*',
  'hono',
  'hono/*',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
];
const nodeBuiltins = [
  'fs',
  'path',
  'http',
  'https',
  'net',
  'child_process',
  'crypto',
  'os',
  'stream',
  'worker_threads',
  'dns',
  'url',
  'util',
  'process',
];

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', '.tools/', 'dist/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        projectService: {
          allowDefaultProject: [
            'eslint.config.js',
            '.dependency-cruiser.mjs',
            'scripts/*.mjs',
            'activities/training/*.mjs',
            'bench/*.mjs',
          ],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The page's plain browser modules (web/): no types to check them against.
    files: ['web/**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.browser },
  },
  {
    // Every query lives in platform/, one module per store of truth (README "Architecture"): the API,
    // the activities and the CLIs read and write through the same functions. (Benchmarks may read
    // internals such as chunk timings directly; scripts/stack/ creates the database itself.)
    files: ['api/**/*.ts', 'activities/**/*.ts', 'workers/**/*.ts', 'scripts/*.ts', 'scripts/data/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['Literal', 'TemplateElement'].map((node) => ({
          selector: `${node}[${node === 'Literal' ? 'value' : 'value.raw'}=/\\b(SELECT|INSERT|UPDATE|DELETE)\\b/]`,
          message: 'No SQL outside platform/: read and write through a platform/ module.',
        })),
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins
            .flatMap((m) => [m, `node:${m}`])
            .map((name) => ({ name, message: 'Workflows must be deterministic: no Node built-ins.' })),
          patterns: [
            { group: ['node:*'], message: 'Workflows must be deterministic: no Node built-ins.' },
            { group: ioModules, message: 'Workflows must not do I/O: call an activity.' },
            {
              group: ['../platform/*', '../activities/*', '../api/*'],
              allowTypeImports: true,
              message: 'Workflows may import only types from I/O modules.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' }],
    },
  },
);
