// The forecast engines by name, as runs and the API choose them.
import { lastWeekEngine, medianWeekdayPromoEngine } from './baselines.ts';
import { fastEngine } from './fast.ts';
import { prophetEngine } from './prophet.ts';
import type { Engine } from './types.ts';

export const ENGINES = {
  fast: fastEngine,
  prophet: prophetEngine,
  last_week: lastWeekEngine,
  median_weekday_promo: medianWeekdayPromoEngine,
} satisfies Record<string, Engine>;

export type EngineName = keyof typeof ENGINES;

export const isEngineName = (name: string): name is EngineName => Object.hasOwn(ENGINES, name);

export function engineNamed(name: string): Engine {
  if (!isEngineName(name)) throw new Error(`unknown forecast engine "${name}"; known: ${Object.keys(ENGINES).join(', ')}`);
  return ENGINES[name];
}
