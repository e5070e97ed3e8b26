// Global models parsed from their artifacts' JSON, kept per thread by URI: every task of a run
// sends the same few models, and parsing one (hundreds of KiB) per task would cost more than the task.
import type { GlobalParams } from '../../ml/forecast/global.ts';
import { attachGlobalModel, globalArtifactOf } from '../../ml/forecast/globalVersion.ts';
import type { FittedModel } from '../../ml/forecast/types.ts';

/** Artifact JSON by gs:// URI. */
export type GlobalModelTexts = Record<string, string>;

// A run needs its own model and production's (usually the previous run's).
const KEPT = 4;
const parsed = new Map<string, GlobalParams>();

export function globalModels(texts: GlobalModelTexts) {
  const params = (uri: string): GlobalParams => {
    let p = parsed.get(uri);
    if (!p) {
      const text = texts[uri];
      if (text === undefined) throw new Error(`global model ${uri} was not sent with the task`);
      p = JSON.parse(text) as GlobalParams;
      if (parsed.size >= KEPT) parsed.delete(parsed.keys().next().value!);
      parsed.set(uri, p);
    }
    return p;
  };
  return {
    params,
    /** The model with its global model's trees, when it is a global or blend version. */
    attach: (model: FittedModel): FittedModel => {
      const uri = globalArtifactOf(model);
      return uri ? attachGlobalModel(model, params(uri)) : model;
    },
  };
}
