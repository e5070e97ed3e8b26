// The Prometheus configuration in deploy/prometheus/ and the one the local stack writes are valid,
// and the alert rules fire (and stay quiet) on the fixtures in deploy/prometheus/tests/.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { ROOT } from '../../scripts/stack/paths.ts';
import { localPrometheusConfig } from '../../scripts/stack/services.ts';
import { PROMTOOL_BIN } from '../../scripts/stack/tools.ts';
import { testConfig } from '../helpers/stack.ts';

const DIR = path.join(ROOT, 'deploy', 'prometheus');
const promtool = async (...args: string[]) => {
  const { stdout } = await promisify(execFile)(PROMTOOL_BIN, args, { cwd: DIR });
  return stdout;
};

describe('Prometheus configuration and rules (promtool)', () => {
  it('the deployed config, its rule files and the local stack config are valid', async () => {
    assert.match(await promtool('check', 'config', 'prometheus.yml'), /SUCCESS: 2 rule files found/);
    const rules = await promtool('check', 'rules', 'recording.rules.yml', 'alerts.rules.yml');
    assert.match(rules, /SUCCESS: \d+ rules found[\s\S]*SUCCESS: \d+ rules found/);
    const dir = await mkdtemp(path.join(tmpdir(), 'retailflow-prometheus-'));
    try {
      const file = path.join(dir, 'prometheus.yml');
      await writeFile(file, localPrometheusConfig(testConfig().stack.dataDir));
      assert.match(await promtool('check', 'config', file), /SUCCESS: 2 rule files found/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('fires on a failed workflow and on a rejected share over 5%, and stays quiet below', async () => {
    assert.match(await promtool('test', 'rules', 'tests/alerts.test.yml'), /SUCCESS/);
  });

  it('fails when an alert would not fire as its fixture says', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'retailflow-prometheus-'));
    try {
      // The same fixtures with the rejection threshold raised past the fixture's 30%.
      const broken = path.join(dir, 'alerts.rules.yml');
      const rules = await readFile(path.join(DIR, 'alerts.rules.yml'), 'utf8');
      await writeFile(broken, rules.replace('rejected_share:ratio1h > 0.05', 'rejected_share:ratio1h > 0.5'));
      const tests = (await readFile(path.join(DIR, 'tests', 'alerts.test.yml'), 'utf8'))
        .replace('../recording.rules.yml', path.join(DIR, 'recording.rules.yml'))
        .replace('../alerts.rules.yml', broken);
      await writeFile(path.join(dir, 'alerts.test.yml'), tests);
      await assert.rejects(promtool('test', 'rules', path.join(dir, 'alerts.test.yml')), /RetailflowIngestRejections/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
