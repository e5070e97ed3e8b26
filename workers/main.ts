// Worker entry point: `tsx workers/main.ts [ingest,training,interactive]` (default: all queues).
import { runMain } from '../platform/main.ts';
import { parseQueues, runWorkers } from './run.ts';

runMain('worker', () => runWorkers(parseQueues(process.argv[2])));
