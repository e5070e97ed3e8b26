// `npm run data -- generate|import ...`: Rossmann-format and Online Retail data tools.
//   generate [--out DIR] [--stores N] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--products K] [--seed S]
//   generate-retail [--out DIR] [--customers N] [--rows N] [--seed S] [--format uci|daily]
//   generate-bigmart [--out DIR] [--rows 8523] [--seed S]
//   train-bigmart [--train Train.csv] [--test Test.csv] [--trials 50] [--rows 8523] [--seed S]
//   train-power-users [--events ga4|online-retail] [--users 15000] [--seed S] [--cutoff D] [--window-days 60] [--threshold 110] [--learners a,b]
//   import --train train.csv [--stores store.csv] [--no-warehouse] [--max-rejected-share 0.05] [--chunk-lines 250000]
//   import-retail <file|folder|glob>... [--chunk-lines 100000]
//   generate-air-quality [--out DIR] [--rows 9357] [--seed S]
//   import-air-quality AirQualityUCI.csv
//   produce --train train.csv [--stores store.csv] [--months 5] [--rate 100] [--batch 100] [--api URL] [--loop]
import { runMain } from '../../platform/main.ts';
import { generateAirQualityCommand, importAirQualityCommand } from './airQuality.ts';
import { generate } from './generate.ts';
import { generateBigmartCommand } from './generateBigmart.ts';
import { generateRetailCommand } from './generateRetail.ts';
import { importCommand } from './import.ts';
import { importRetailCommand } from './importRetail.ts';
import { produceCommand } from './produce.ts';
import { trainBigmartCommand } from './trainBigmart.ts';
import { trainPowerUsersCommand } from './trainPowerUsers.ts';

const USAGE =
  'usage: npm run data -- generate [--out DIR] [--stores N] [--from D] [--to D] [--products K] [--seed S]\n' +
  '       npm run data -- generate-retail [--out DIR] [--customers N] [--rows N] [--seed S] [--format uci|daily]\n' +
  '       npm run data -- generate-bigmart [--out DIR] [--rows 8523] [--seed S]\n' +
  '       npm run data -- train-bigmart [--train Train.csv] [--test Test.csv] [--trials 50] [--rows 8523] [--seed S]\n' +
  '       npm run data -- train-power-users [--events ga4|online-retail] [--users 15000] [--seed S] [--cutoff D] [--window-days 60] [--threshold 110] [--learners a,b]\n' +
  '       npm run data -- import --train train.csv [--stores store.csv] [--no-warehouse] [--max-rejected-share 0.05] [--chunk-lines 250000]\n' +
  '       npm run data -- import-retail <file|folder|glob>... [--chunk-lines 100000]\n' +
  '       npm run data -- generate-air-quality [--out DIR] [--rows 9357] [--seed S]\n' +
  '       npm run data -- import-air-quality AirQualityUCI.csv\n' +
  '       npm run data -- produce --train train.csv [--stores store.csv] [--months 5] [--rate 100] [--batch 100] [--api URL] [--loop]';

runMain('data', async () => {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'generate') return generate(rest);
  if (command === 'generate-retail') return generateRetailCommand(rest);
  if (command === 'generate-bigmart') return generateBigmartCommand(rest);
  if (command === 'import') return importCommand(rest);
  if (command === 'import-retail') return importRetailCommand(rest);
  if (command === 'generate-air-quality') return generateAirQualityCommand(rest);
  if (command === 'import-air-quality') return importAirQualityCommand(rest);
  if (command === 'produce') return produceCommand(rest);
  if (command === 'train-bigmart') return trainBigmartCommand(rest);
  if (command === 'train-power-users') return trainPowerUsersCommand(rest);
  throw new Error(USAGE);
});
