// Weekly runs' global forecast models in GCS (one JSON artifact per run, shared by the versions
// that serve it), read by URI and kept in memory: a retrain or an API process reads its production
// model's once, not per series.
import type { GlobalParams } from '../ml/forecast/global.ts';
import { attachGlobalModel, globalArtifactOf } from '../ml/forecast/globalVersion.ts';
import type { FittedModel } from '../ml/forecast/types.ts';
import type { ObjectStore } from './storage.ts';

// A run reads its own model and production's (usually the previous run's).
const KEPT = 4;
const texts = new Map<string, Promise<string>>();

/** The artifact's JSON text; read once per process while kept. */
export function globalModelText(store: ObjectStore, uri: string): Promise<string> {
  let text = texts.get(uri);
  if (!text) {
    const prefix = `gs://${store.bucketName}/`;
    if (!uri.startsWith(prefix)) throw new Error(`global model ${uri} is not in the bucket ${store.bucketName}`);
    text = store.read(uri.slice(prefix.length)).then((b) => b.toString('utf8'));
    if (texts.size >= KEPT) texts.delete(texts.keys().next().value!);
    texts.set(uri, text);
    // A failed read is not kept: the next caller tries again.
    text.catch(() => texts.delete(uri));
  }
  return text;
}

const parsed = new WeakMap<Promise<string>, Promise<GlobalParams>>();

/** The artifact's model, parsed once per process while kept. */
export function globalModelParams(store: ObjectStore, uri: string): Promise<GlobalParams> {
  const text = globalModelText(store, uri);
  let params = parsed.get(text);
  if (!params) {
    params = text.then((t) => JSON.parse(t) as GlobalParams);
    parsed.set(text, params);
  }
  return params;
}

/** The model with its global model's trees attached, when it is a global or blend version. */
export async function servableModel(store: ObjectStore, model: FittedModel): Promise<FittedModel> {
  const uri = globalArtifactOf(model);
  return uri ? attachGlobalModel(model, await globalModelParams(store, uri)) : model;
}
