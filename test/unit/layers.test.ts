import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/layers');

describe('the layer map (.dependency-cruiser.mjs)', () => {
  it('fails each wrong import of test/fixtures/layers with its rule, and lets the allowed ones pass', async () => {
    const { default: config } = (await import(path.join(ROOT, '.dependency-cruiser.mjs'))) as {
      default: IConfiguration;
    };
    const { output } = await cruise(['.'], {
      ...config.options,
      tsConfig: undefined,
      exclude: undefined,
      baseDir: FIXTURES,
      ruleSet: { forbidden: config.forbidden },
      validate: true,
      outputType: 'json',
    });
    const result = (typeof output === 'string' ? JSON.parse(output) : output) as ICruiseResult;
    const found = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
    assert.deepEqual(found, [
      'activity-files-independent: activities/retrain.ts -> activities/training.ts',
      'api-not-activities: api/route.ts -> activities/training.ts',
      'db-is-data: db/tables.ts -> platform/warehouse.ts',
      'domain-is-pure: domain/rule.ts -> contracts/sales.ts',
      'no-circular: db/tables.ts -> platform/warehouse.ts',
      'workflow-bundle-no-zod: workflows/flow.ts -> contracts/sales.ts',
    ]);
  });
});
