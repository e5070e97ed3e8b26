// Worker for the training task queue only: scale it by running more of these processes.
import { runMain } from '../platform/main.ts';
import { runWorkers } from './run.ts';

runMain('worker', () => runWorkers(['training']));
