// The preset dataset spec of every tabular model named in domain/tabularModels.ts: the record's type
// makes a name without a spec, or a spec without a name, a compile error.
import type { TabularModelName } from '../../../domain/tabularModels.ts';
import type { DatasetSpec } from '../spec.ts';
import { AIR_QUALITY_SPEC } from './airQuality.ts';
import { BIGMART_SPEC } from './bigmart.ts';
import { POWER_USER_SPEC } from './powerUser.ts';

export const TABULAR_PRESETS: Readonly<Record<TabularModelName, DatasetSpec>> = {
  bigmart: BIGMART_SPEC,
  'power-user': POWER_USER_SPEC,
  'air-quality': AIR_QUALITY_SPEC,
};
