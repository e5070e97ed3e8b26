// A worker thread of the accuracy report (piscina loads it): one split each. It registers the
// TypeScript loader itself, as activities/training/fitThread.mjs does, for the same reason.
import { register } from 'tsx/esm/api';

register();
const { evaluateSplit } = await import('./tabularAccuracySplit.ts');

export default evaluateSplit;
