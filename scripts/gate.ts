// `npm run gate -- <model>`: the performance gate CI runs before a deployment (seed 003's gate only
// checked that predictions were 0 or 1). It prints the comparison table of the production version's
// search (each model x oversampling, cross-validated) and the production version's test metrics,
// and exits non-zero when its test recall or precision is below the bars in the model's spec, or
// when there is no production version to judge.
import { parseArgs } from 'node:util';
import { isTabularModel, noTabularPreset } from '../domain/tabularModels.ts';
import { comparisonTable, formatComparison, gateVerdict } from '../ml/tabular/comparison.ts';
import { TABULAR_PRESETS } from '../ml/tabular/presets/index.ts';
import { config } from '../platform/config.ts';
import { runMain } from '../platform/main.ts';
import { createPool } from '../platform/postgres.ts';
import { productionTabular } from '../platform/tabularRegistry.ts';
import { tabularTrials } from '../platform/tabularRuns.ts';

const USAGE = 'usage: npm run gate -- <model>   (a tabular model whose spec has gate bars, e.g. power-user)';

runMain('gate', async () => {
  const {
    positionals: [model],
  } = parseArgs({ allowPositionals: true, options: {} });
  if (!model) throw new Error(USAGE);
  if (!isTabularModel(model)) throw new Error(`${noTabularPreset(model)}\n${USAGE}`);
  const bars = TABULAR_PRESETS[model].gate;
  if (!bars) throw new Error(`${model}: its spec has no gate bars (recall, precision)`);
  const pool = createPool(config().postgres, 'retailflow-gate');
  try {
    const production = await productionTabular(pool, model);
    if (!production) throw new Error(`${model} has no production version to judge: train it first`);
    const { params, metrics } = production;
    console.log(
      `${model} version ${production.version} (${params.label}) from run ${production.runId}: ` +
        `${params.trial.learner} ${JSON.stringify(params.trial.params)}, threshold ${params.threshold ?? 0.5}`,
    );
    console.log('\nits search, cross-validated on the training part (best trial of each model x sampling):');
    const table = comparisonTable(await tabularTrials(pool, production.runId));
    console.log(table.length ? formatComparison(table) : '(no trials recorded for this run)');
    const test = metrics.test;
    console.log(
      `\ntest rows: recall ${test.recall?.toFixed(3)}, precision ${test.precision?.toFixed(3)}, F1 ${test.f1?.toFixed(3)}, ` +
        `log loss ${test.logLoss?.toFixed(4)}, ROC AUC ${test.rocAuc?.toFixed(4)}, PR AUC ${test.prAuc?.toFixed(4)}` +
        `\nbars: recall >= ${bars.recall}, precision >= ${bars.precision}`,
    );
    const verdict = gateVerdict(test, bars);
    if (verdict.passed) console.log(`[gate] ${model} version ${production.version} passed`);
    else {
      console.error(`[gate] ${model} version ${production.version} FAILED: ${verdict.failures.join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    await pool.end();
  }
});
