// Worker for the ingest task queue only: scale it by running more of these processes.
import { runWorkers } from './run.ts';

await runWorkers(['ingest']);
