// Worker entry point: `tsx workers/main.ts [ingest,training,interactive]` (default: all queues).
import { parseQueues, runWorkers } from './run.ts';

await runWorkers(parseQueues(process.argv[2]));
