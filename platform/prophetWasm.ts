// Prophet's WASM binary, read from the @bsull/augurs package it ships in, for the prophet engine
// (ml/forecast/prophet.ts reads no files). Read once per process or thread, at the first fit.
import { readFileSync } from 'node:fs';
import { useProphetWasm } from '../ml/forecast/prophet.ts';

export const loadProphetWasm = (): Buffer =>
  readFileSync(new URL('prophet_bg.wasm', import.meta.resolve('@bsull/augurs/prophet')));

/** Arms the prophet engine in this process or thread. */
export const armProphet = (): void => useProphetWasm(loadProphetWasm);
