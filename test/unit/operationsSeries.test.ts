import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { KEY_SERIES } from '../../platform/prometheus.ts';

describe("the Operations view's series", () => {
  it('are panels of the Grafana dashboard, whose queries the dashboard test checks on a real Prometheus', async () => {
    const file = path.resolve(import.meta.dirname, '../../deploy/grafana/retailflow.json');
    const dashboard = JSON.parse(await readFile(file, 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const exprs = new Set(dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)));
    for (const s of KEY_SERIES) assert.ok(exprs.has(s.expr), `${s.key}: ${s.expr} is no dashboard panel`);
  });
});
