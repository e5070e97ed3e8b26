// Node flags for worker processes. A 64 MiB young generation (16 MiB by default) lets the importer's
// and the trainers' short-lived rows die young instead of being copied and promoted: 10-18% more
// rows/s in bench:ingest (bench/README.md). The Dockerfile, compose and `npm run worker` spell it too.
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=64'];
