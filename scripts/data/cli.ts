// `npm run data -- generate|import ...`: Rossmann-format data tools.
//   generate [--out DIR] [--stores N] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--products K] [--seed S]
//   import --train train.csv [--stores store.csv] [--no-warehouse]
import { runMain } from '../../platform/main.ts';
import { generate } from './generate.ts';
import { importCommand } from './import.ts';

const USAGE = 'usage: npm run data -- generate [--out DIR] [--stores N] [--from D] [--to D] [--products K] [--seed S]\n' +
  '       npm run data -- import --train train.csv [--stores store.csv] [--no-warehouse]';

runMain('data', async () => {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'generate') return generate(rest);
  if (command === 'import') return importCommand(rest);
  throw new Error(USAGE);
});
