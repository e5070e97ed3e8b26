// The layer map (README "Architecture"), checked by `npm run layers` and `npm test`.
// Type-only imports are erased before anything runs: rules that allow them say so.
const TYPE_ONLY = ['type-only'];
// The contracts that are zod schemas (events and dates the API and the importer parse): never in the workflow bundle.
const SCHEMA_CONTRACTS = '^contracts/(calendar|dates|sales)\\.ts$';
const SQL_DRIVERS = '^node_modules/(pg|pg-copy-streams)/';
const IO_MODULES =
  '^(node:)?(fs|net|http|https|child_process|dgram|dns|tls|worker_threads)(/|$)|^node_modules/(pg|pg-copy-streams|@google-cloud/[^/]+|google-auth-library)/';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No cycles: every folder depends one way.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'domain/ holds the business rules and pure types: it imports nothing but domain/ (no I/O, no zod, no hono).',
      from: { path: '^domain/' },
      to: { pathNot: '^domain/' },
    },
    {
      name: 'contracts-cross-boundaries',
      severity: 'error',
      comment:
        "contracts/ is what crosses a process boundary: it builds on domain/ (and types of ml/), uses zod and Temporal's query/failure helpers, never hono or I/O.",
      from: { path: '^contracts/' },
      to: {
        pathNot: ['^contracts/', '^domain/', '^node_modules/zod/', '^node_modules/@temporalio/(workflow|common)/'],
        dependencyTypesNot: TYPE_ONLY,
      },
    },
    {
      name: 'contracts-name-only-ml-types',
      severity: 'error',
      comment: 'Type-only imports in contracts/ may name ml/ types (metrics, backtests), nothing above them.',
      from: { path: '^contracts/' },
      to: { path: '^(activities|api|platform|workflows|workers|scripts|bench|test|db)/', dependencyTypes: TYPE_ONLY },
    },
    {
      name: 'zod-only-in-schema-contracts',
      severity: 'error',
      comment:
        "Workflow code is bundled for Temporal's sandbox: only the schema contracts use zod, and no other contract imports them.",
      from: { path: '^contracts/', pathNot: SCHEMA_CONTRACTS },
      to: { path: ['^node_modules/(zod|@hono/[^/]+|hono)/', SCHEMA_CONTRACTS], dependencyTypesNot: TYPE_ONLY },
    },
    {
      name: 'workflow-bundle-no-zod',
      severity: 'error',
      comment: 'Workflows import no schema contract: zod stays out of the workflow bundle.',
      from: { path: '^workflows/' },
      to: { path: SCHEMA_CONTRACTS, dependencyTypesNot: TYPE_ONLY },
    },
    {
      name: 'ml-is-pure',
      severity: 'error',
      comment:
        'ml/ is pure model code: no files, network or database (a WASM binary is loaded by its caller), no platform/activities/api.',
      from: { path: '^ml/' },
      to: { path: [IO_MODULES, '^(activities|api|platform|workflows|workers|scripts|bench|test|db|contracts)/'] },
    },
    {
      name: 'platform-below-its-users',
      severity: 'error',
      comment:
        'platform/ (adapters and every SQL query) is used by activities, api, workers and scripts; it never imports them.',
      from: { path: '^platform/', pathNot: '^platform/schedules\\.ts$' },
      to: { path: '^(activities|api|workflows|workers|scripts|bench|test)/' },
    },
    {
      name: 'schedules-name-workflows',
      severity: 'error',
      comment:
        'platform/schedules.ts names the workflow functions its Schedules start (type-checked args); it imports nothing else above platform/.',
      from: { path: '^platform/schedules\\.ts$' },
      to: { path: '^(activities|api|workers|scripts|bench|test)/' },
    },
    {
      name: 'activity-files-independent',
      severity: 'error',
      comment:
        'No activity file imports another: shared helpers live in activities/deps.ts, heartbeat.ts or training/ (the fit threads); activities/index.ts combines them.',
      from: { path: '^activities/([^/]+)\\.ts$', pathNot: '^activities/index\\.ts$' },
      to: { path: '^activities/', pathNot: '^activities/(deps|heartbeat)\\.ts$|^activities/training/' },
    },
    {
      name: 'activities-not-above',
      severity: 'error',
      comment: 'Activities call platform/ and ml/; they never import api/, workers/, workflows/, scripts/ or test/.',
      from: { path: '^activities/' },
      to: { path: '^(api|workers|workflows|scripts|bench|test)/' },
    },
    {
      name: 'sql-only-in-platform',
      severity: 'error',
      comment:
        'api/, activities/ and workers/ use no database driver: they read and write through platform/ (eslint also fails on SQL text in them).',
      from: { path: '^(api|activities|workers)/' },
      to: { path: SQL_DRIVERS, dependencyTypesNot: TYPE_ONLY },
    },
    {
      name: 'api-not-activities',
      severity: 'error',
      comment:
        'api/ starts workflows through the Temporal client and reads through platform/: it never imports activities/, workers/, scripts/ or test/, and only the types of workflows/.',
      from: { path: '^api/' },
      to: { path: '^(activities|workers|scripts|bench|test)/' },
    },
    {
      name: 'api-workflow-types-only',
      severity: 'error',
      comment: 'api/ names workflow functions for typed starts: type-only imports.',
      from: { path: '^api/' },
      to: { path: '^workflows/', dependencyTypesNot: TYPE_ONLY },
    },
    {
      name: 'workflows-deterministic',
      severity: 'error',
      comment:
        'workflows/ imports only @temporalio/workflow (and common), contracts/, domain/, workflows/; activity types for proxyActivities.',
      from: { path: '^workflows/' },
      to: {
        pathNot: ['^workflows/', '^contracts/', '^domain/', '^node_modules/@temporalio/(workflow|common)/'],
        dependencyTypesNot: TYPE_ONLY,
      },
    },
    {
      name: 'workflows-type-only-above',
      severity: 'error',
      comment:
        'Type-only imports in workflows/ may name activity interfaces, nothing in api/, platform/, workers/, scripts/.',
      from: { path: '^workflows/' },
      to: { path: '^(api|platform|workers|scripts|bench|test|db)/' },
    },
    {
      name: 'nothing-imports-api',
      severity: 'error',
      comment:
        'api/ is an entry point: only api/ itself, the local stack (scripts/start.ts) and tests start it; benchmarks may name its types.',
      from: { pathNot: '^(api|test)/|^scripts/start\\.ts$' },
      to: { path: '^api/', dependencyTypesNot: TYPE_ONLY },
    },
    {
      name: 'workers-compose-activities',
      severity: 'error',
      comment:
        'workers/ registers the activities through activities/index.ts with activities/deps.ts: never an activity file itself.',
      from: { path: '^workers/' },
      to: { path: '^activities/', pathNot: '^activities/(index|deps)\\.ts$' },
    },
    {
      name: 'entry-points-not-activities',
      severity: 'error',
      comment:
        'scripts/ and bench/ run work through workflows (and workers/ for an in-process worker): never activity files. ' +
        'bench/shardSteps.ts is the one exception: it times the steps of a training shard one by one, in process.',
      from: { path: '^(scripts|bench)/', pathNot: '^bench/shardSteps\\.ts$' },
      to: { path: '^activities/' },
    },
    {
      name: 'no-test-imports',
      severity: 'error',
      comment: 'Only tests import test/: a helper that a benchmark or script needs lives outside test/.',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
    {
      name: 'db-is-data',
      severity: 'error',
      comment: 'db/ is the schema (SQL migrations, warehouse table specs): it imports nothing outside db/ and domain/.',
      from: { path: '^db/' },
      to: { pathNot: '^(db|domain)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // test/fixtures/layers breaks every rule on purpose: test/unit/layers.test.ts checks the rules on it.
    exclude: { path: '^(\\.data|\\.tools|web|test/fixtures/layers)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
