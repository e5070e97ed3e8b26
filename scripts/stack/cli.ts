// `npm run stack -- up|down|status|logs [service] [-f]`: the local stack by hand.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { config } from '../../platform/config.ts';
import { stackDirs } from './paths.ts';
import { tail } from './processes.ts';
import { SERVICE_NAMES } from './services.ts';
import { stackDown, stackStatus, stackUp } from './stack.ts';

/** Log files in the logs dir: the services', and those of the worker and the API under `npm start`. */
const LOG_NAMES = [...SERVICE_NAMES, 'worker', 'api'];
const USAGE = `usage: npm run stack -- up | down | status | logs [${LOG_NAMES.join('|')}] [-f]`;

async function logs(args: string[]): Promise<void> {
  const follow = args.includes('-f');
  const names = args.filter((a) => a !== '-f');
  const unknown = names.filter((n) => !LOG_NAMES.includes(n));
  if (unknown.length) throw new Error(`no log named ${unknown.join(', ')}; ${USAGE}`);
  const dir = stackDirs(config().stack.dataDir).logs;
  const files = (names.length ? names : LOG_NAMES).map((n) => path.join(dir, `${n}.log`)).filter((f) => existsSync(f));
  if (!files.length) return console.log(`no logs yet in ${dir}`);
  if (follow) {
    spawn('tail', ['-n', '50', '-F', ...files], { stdio: 'inherit' });
    return;
  }
  for (const f of files) console.log(`==> ${f} <==\n${await tail(f, 50)}`);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const cfg = config();
  switch (command) {
    case 'up':
      await stackUp(cfg);
      return;
    case 'down':
      await stackDown(cfg);
      return;
    case 'status': {
      const rows = await stackStatus(cfg);
      if (!rows.length)
        return console.log('no services are managed here (RETAILFLOW_STACK=external or every address set)');
      for (const r of rows) {
        console.log(
          `${r.name.padEnd(9)} ${r.healthy ? 'healthy' : r.pid ? 'UNHEALTHY' : 'stopped'}`.padEnd(28) +
            `${r.pid ? `pid ${r.pid}` : ''}`.padEnd(12) +
            r.url,
        );
      }
      if (rows.some((r) => !r.healthy)) process.exitCode = 1;
      return;
    }
    case 'logs':
      await logs(rest);
      return;
    default:
      console.error(USAGE);
      process.exitCode = 2;
  }
}

main().catch((err: Error) => {
  console.error(`[stack] ${err.message}`);
  process.exitCode = 1;
});
