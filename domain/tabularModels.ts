// The tabular models that have a preset dataset spec (ml/tabular/presets/index.ts maps each to its
// spec): the one list of their names, read by the workflow's checks, the activities and the API.
export const TABULAR_MODELS = ['bigmart', 'power-user', 'air-quality'] as const;
export type TabularModelName = (typeof TABULAR_MODELS)[number];

export const isTabularModel = (name: string): name is TabularModelName =>
  (TABULAR_MODELS as readonly string[]).includes(name);

/** Why a name is not a tabular model, listing the known ones. */
export const noTabularPreset = (name: string): string => `${name} has no preset (known: ${TABULAR_MODELS.join(', ')})`;
