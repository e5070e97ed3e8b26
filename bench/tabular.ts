// `npm run bench:tabular [-- --skip-cart] [--skip-engine] [--skip-service] [--skip-power-user] [--duration 10]`: the
// tabular learners in this process (tabularEngine.ts), then the pipeline on its own stack
// (tabularService.ts). One JSON line per result on stdout, all of them in bench/results/tabular.json.
import { parseArgs } from 'node:util';
import { benchResults } from './results.ts';
import { benchTabularEngine } from './tabularEngine.ts';
import { benchTabularService } from './tabularService.ts';

const { values: args } = parseArgs({
  options: {
    'skip-cart': { type: 'boolean', default: false },
    'skip-engine': { type: 'boolean', default: false },
    'skip-service': { type: 'boolean', default: false },
    'skip-power-user': { type: 'boolean', default: false },
    duration: { type: 'string', default: '10' },
  },
});
const { report, save } = benchResults('tabular');
if (!args['skip-engine']) benchTabularEngine(report, args['skip-cart']);
if (!args['skip-service'])
  await benchTabularService(report, Number(args.duration), { powerUser: !args['skip-power-user'] });
await save();
