import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../platform/config.ts';
import { temporalUiUrl, workflowUrl } from '../../platform/temporal.ts';

describe('Temporal UI links', () => {
  const temporal = loadConfig({
    TEMPORAL_UI_URL: 'https://temporal.example.com/',
    TEMPORAL_NAMESPACE: 'retail flow',
  }).temporal;
  const ns = 'https://temporal.example.com/namespaces/retail%20flow';

  it("link the workflow list, a workflow, a run's history and a schedule under the namespace, each part escaped", () => {
    assert.equal(temporalUiUrl(temporal, { workflows: true }), `${ns}/workflows`);
    assert.equal(
      temporalUiUrl(temporal, { workflowId: 'daily-ingest-2015-07-31' }),
      `${ns}/workflows/daily-ingest-2015-07-31`,
    );
    assert.equal(temporalUiUrl(temporal, { workflowId: 'a/b', runId: 'r 1' }), `${ns}/workflows/a%2Fb/r%201/history`);
    assert.equal(temporalUiUrl(temporal, { scheduleId: 'weekly-training' }), `${ns}/schedules/weekly-training`);
  });

  it('workflowUrl is the same builder', () => {
    assert.equal(workflowUrl(temporal, 'w', 'r'), temporalUiUrl(temporal, { workflowId: 'w', runId: 'r' }));
  });
});
