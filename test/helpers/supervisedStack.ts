// A small `npm start` for the supervisor test, built from the same parts as scripts/start.ts (the
// instance claim, the supervisor and its stop signals, the logged Node children, a real managed
// service: GCS) with two small Node processes in place of the worker and the API, and short backoffs.
import { loadConfig } from '../../platform/config.ts';
import { runMain } from '../../platform/main.ts';
import { spawnTs } from '../../scripts/children.ts';
import { becomeInstance } from '../../scripts/stack/instance.ts';
import { stackDirs } from '../../scripts/stack/paths.ts';
import { stackUp, supervisedService } from '../../scripts/stack/stack.ts';
import { Supervisor } from '../../scripts/supervisor.ts';

const CHILDREN = ['alpha', 'beta'];
const log = (msg: string) => console.log(`[start] ${msg}`);

runMain('supervised-stack', async () => {
  const cfg = loadConfig();
  const dirs = stackDirs(cfg.stack.dataDir);
  const urls = { pageUrl: `http://127.0.0.1:${cfg.api.port}/`, apiUrl: `http://127.0.0.1:${cfg.api.port}` };
  const tenure = await becomeInstance(dirs, urls, CHILDREN, log);
  if (!tenure) return;
  const supervisor = new Supervisor(log, { initialMs: 100, maxMs: 1_000, resetAfterMs: 5_000 });
  supervisor.exitOnSignals();
  const owned = [...new Set([...tenure.inherited, ...(await stackUp(cfg))])];
  tenure.record(owned);
  await supervisor.add(supervisedService(cfg, 'gcs', owned.includes('gcs')));
  for (const name of CHILDREN) {
    await supervisor.add({
      name,
      start: () => spawnTs({ name, script: 'test/helpers/chatty.ts', args: [name], graceMs: 2_000 }, dirs),
    });
  }
  log('ready');
});
