// BigMart (seed 002) dataset specs. Rows: the seed's (drop duplicates, then drop every row with a
// blank: 4,650 of the real Train.csv's 8,523, Supermarket Type1 and Type2 only) or all of them
// with imputation. Features: the seed's (price in quartile bins, outlet size and location as
// ordinals, outlet type dummies, weight and visibility standardized) or the ones that carry the
// signal (the raw price, price x outlet type, the outlet itself). The presets offer both: the
// search picks by cross-validation on the training part.
import type { ColumnSpec, DatasetSpec, FeatureSpec, Imputation, RowFilter } from '../spec.ts';

export const BIGMART_TARGET = 'Item_Outlet_Sales';
/** Train.csv's columns in file order (Test.csv lacks the target). */
export const BIGMART_COLUMNS = [
  'Item_Identifier',
  'Item_Weight',
  'Item_Fat_Content',
  'Item_Visibility',
  'Item_Type',
  'Item_MRP',
  'Outlet_Identifier',
  'Outlet_Establishment_Year',
  'Outlet_Size',
  'Outlet_Location_Type',
  'Outlet_Type',
  BIGMART_TARGET,
] as const;

/** The real file's spellings of two labels. */
export const FAT_CONTENT_LABELS: Record<string, string> = { LF: 'Low Fat', 'low fat': 'Low Fat', reg: 'Regular' };
/** The seed's ordinals, with its "Unknown" for a blank. */
export const OUTLET_SIZE_ORDINAL: Record<string, number> = { High: 2, Medium: 1, Small: 0, Unknown: -1 };
export const LOCATION_ORDINAL: Record<string, number> = { 'Tier 1': 2, 'Tier 2': 1, 'Tier 3': 0, Unknown: -1 };
/** The year the data was collected: outlet age is counted to it. */
export const BIGMART_YEAR = 2013;

export type BigMartRows = 'seed' | 'all';
export type BigMartFeatures = 'seed' | 'signal';

function columns(rows: BigMartRows): ColumnSpec[] {
  return [
    { name: 'Item_Identifier', type: 'id' },
    { name: 'Item_Weight', type: 'number' },
    { name: 'Item_Fat_Content', type: 'category', clean: FAT_CONTENT_LABELS },
    // a product on sale has some shelf space: the real file's zeros are blanks
    { name: 'Item_Visibility', type: 'number', ...(rows === 'all' ? { missing: [0] } : {}) },
    { name: 'Item_Type', type: 'category' },
    { name: 'Item_MRP', type: 'number' },
    { name: 'Outlet_Identifier', type: 'category' },
    { name: 'Outlet_Establishment_Year', type: 'number' },
    { name: 'Outlet_Size', type: 'category' },
    { name: 'Outlet_Location_Type', type: 'category' },
    { name: 'Outlet_Type', type: 'category' },
  ];
}

const filters: Record<BigMartRows, RowFilter[]> = {
  seed: [{ kind: 'dropDuplicates' }, { kind: 'dropna' }],
  // Test.csv's rows have no target: they are scored, not trained on
  all: [{ kind: 'dropDuplicates' }, { kind: 'dropna', columns: [BIGMART_TARGET] }],
};

const unknown = { strategy: 'constant', value: 'Unknown' } as const;
// The seed's /predict sends neither item nor outlet identifier: such a row gets the unseen buckets
// and the overall means.
const identifiers = { Item_Identifier: unknown, Outlet_Identifier: unknown };
const imputation: Record<BigMartRows, Record<string, Imputation>> = {
  // the seed's imputers: no-ops after its dropna, and what a served row with a blank gets
  seed: {
    ...identifiers,
    Item_Weight: { strategy: 'mean' },
    Item_Visibility: { strategy: 'mean' },
    Item_MRP: { strategy: 'mean' },
    Item_Fat_Content: unknown,
    Item_Type: unknown,
    Outlet_Size: unknown,
    Outlet_Location_Type: unknown,
    Outlet_Type: unknown,
  },
  // an item weighs the same in every outlet; its shelf share is alike across outlets
  all: {
    ...identifiers,
    Item_Weight: { strategy: 'groupMean', by: 'Item_Identifier', fallback: 'mean' },
    Item_Visibility: { strategy: 'groupMean', by: 'Item_Identifier', fallback: 'mean' },
    Item_Fat_Content: { strategy: 'mode' },
    Item_Type: unknown,
    Outlet_Size: unknown,
    Outlet_Location_Type: unknown,
    Outlet_Type: unknown,
  },
};

const features: Record<BigMartFeatures, FeatureSpec[]> = {
  seed: [
    { column: 'Item_Weight', encode: 'number', scale: 'standardize' },
    { column: 'Item_Visibility', encode: 'number', scale: 'standardize' },
    { column: 'Item_MRP', encode: 'quantileBins', bins: 4, output: 'ordinal' },
    { column: 'Outlet_Establishment_Year', encode: 'number' },
    { column: 'Outlet_Size', encode: 'ordinal', map: OUTLET_SIZE_ORDINAL, unseen: -1 },
    { column: 'Outlet_Location_Type', encode: 'ordinal', map: LOCATION_ORDINAL, unseen: -1 },
    { column: 'Outlet_Type', encode: 'onehot' },
  ],
  signal: [
    { column: 'Item_MRP', encode: 'number', scale: 'standardize' },
    { column: 'Item_MRP', encode: 'interaction', by: 'Outlet_Type', scale: 'standardize' },
    { column: 'Outlet_Type', encode: 'onehot' },
    { column: 'Outlet_Identifier', encode: 'onehot' },
    { column: 'Item_MRP', encode: 'quantileBins', bins: 4, output: 'onehot' },
    { column: 'Outlet_Age', encode: 'number', scale: 'standardize' },
    { column: 'Outlet_Size', encode: 'ordinal', map: OUTLET_SIZE_ORDINAL, unseen: -1 },
    { column: 'Outlet_Location_Type', encode: 'ordinal', map: LOCATION_ORDINAL, unseen: -1 },
    { column: 'Item_Weight', encode: 'number', scale: 'standardize' },
    { column: 'Item_Visibility', encode: 'number', scale: 'standardize' },
    { column: 'Item_Fat_Content', encode: 'onehot' },
    { column: 'Item_Category', encode: 'onehot' },
    { column: 'Item_Type', encode: 'onehot' },
  ],
};

export function bigmartSpec(rows: BigMartRows, featureSet: BigMartFeatures): DatasetSpec {
  return {
    name: `bigmart-${rows}-rows-${featureSet}-features`,
    task: 'regression',
    target: { column: BIGMART_TARGET },
    columns: columns(rows),
    filters: filters[rows],
    impute: imputation[rows],
    derive: [
      { name: 'Outlet_Age', kind: 'age', from: 'Outlet_Establishment_Year', reference: BIGMART_YEAR },
      { name: 'Item_Category', kind: 'prefix', from: 'Item_Identifier', length: 2 },
    ],
    features: features[featureSet],
    // an item's sales in an outlet: one row of Train.csv or Test.csv each
    key: ['Item_Identifier', 'Outlet_Identifier'],
  };
}

/** The rows' spec with both feature sets, for a search to choose between (the signal's when a trial names none). */
export function bigmartSearchSpec(rows: BigMartRows): DatasetSpec {
  return { ...bigmartSpec(rows, 'signal'), name: `bigmart-${rows}-rows`, featureSets: { ...features } };
}

/** The seed's pipeline as it is (fitted on the training part only, where the seed fitted on all rows). */
export const BIGMART_SEED_SPEC = bigmartSpec('seed', 'seed');
/** All rows with imputation, all four outlet types; the seed's features or the signal's, as the search chooses. */
export const BIGMART_SPEC = bigmartSearchSpec('all');
/** The seed's own model: the Lasso its Optuna search chose (alpha from its pickled champion). */
export const BIGMART_SEED_MODEL = { learner: 'lasso', params: { alpha: 0.9959812063001817 } } as const;
