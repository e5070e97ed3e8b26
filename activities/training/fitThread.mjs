// A fitting thread's entry (piscina loads it): forecast batches by default, a run's global model,
// segmentation fits and tabular trials by name. It registers the TypeScript loader itself: a thread started under `--import tsx` did not
// always have the loader yet when piscina imported the task (ERR_UNKNOWN_FILE_EXTENSION under
// load), and registering twice is harmless.
import { register } from 'tsx/esm/api';

register();
const { default: fitTask } = await import('./fitTask.ts');
const { fitSegments } = await import('./segmentFitTask.ts');
const { crossValidateTrial, refitTrial } = await import('./tabularTrialTask.ts');
const { fitGlobalModel } = await import('./globalFitTask.ts');

export { crossValidateTrial, fitGlobalModel, fitSegments, refitTrial };
export default fitTask;
