// Worker for the training task queue only: scale it by running more of these processes.
import { runWorkers } from './run.ts';

await runWorkers(['training']);
