// A worker in a process of its own, as a user runs one (`npm run worker`): what crash tests kill
// with SIGKILL and start again.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TaskQueueName } from '../../platform/config.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A worker of one task queue (`workers/<queue>.ts`), output discarded. */
export const startWorkerProcess = (queue: TaskQueueName, env: NodeJS.ProcessEnv = process.env): ChildProcess =>
  spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers', `${queue}.ts`)], { env, stdio: 'ignore' });
