// The custom search attributes every workflow carries, so the Temporal UI and CLI can list runs by
// pipeline, store, model, as-of date and stage (README, "Finding runs in Temporal"). One definition
// for the stack that registers them, the workflows that set them and the clients that query them.
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

export const PIPELINE_ATTRIBUTE = defineSearchAttributeKey('RetailflowPipeline', SearchAttributeType.KEYWORD);
export const STORE_ATTRIBUTE = defineSearchAttributeKey('RetailflowStore', SearchAttributeType.INT);
export const MODEL_ATTRIBUTE = defineSearchAttributeKey('RetailflowModel', SearchAttributeType.KEYWORD);
export const AS_OF_ATTRIBUTE = defineSearchAttributeKey('RetailflowAsOf', SearchAttributeType.DATETIME);
export const STAGE_ATTRIBUTE = defineSearchAttributeKey('RetailflowStage', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [
  PIPELINE_ATTRIBUTE,
  STORE_ATTRIBUTE,
  MODEL_ATTRIBUTE,
  AS_OF_ATTRIBUTE,
  STAGE_ATTRIBUTE,
];

/** `--search-attribute` arguments of `temporal server start-dev`. */
export const devServerSearchAttributeArgs = (): string[] =>
  SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${searchAttributeTypeName(key.type)}`]);

/** The CLI's spelling of a type (Keyword, Int, Datetime). */
const searchAttributeTypeName = (type: SearchAttributeType): string => type.charAt(0) + type.slice(1).toLowerCase();

/** What `RetailflowPipeline` says; a schedule's wrapper is `scheduled-<pipeline>`, so a query for a pipeline lists each run once. */
export const PIPELINES = [
  'ingest',
  'backfill',
  'import-sales',
  'import-transactions',
  'import-air-quality',
  'training',
  'retrain',
  'segmentation',
  'tabular',
  'tabular-scoring',
  'power-user',
  'air-quality',
  'reconcile',
  'stack-check',
  'scheduled-ingest',
  'scheduled-training',
  'scheduled-segmentation',
  'scheduled-tabular',
] as const;
export type Pipeline = (typeof PIPELINES)[number];

/** What a run is: set once when it starts. */
export interface RunTags {
  pipeline: Pipeline;
  store?: number;
  model?: string;
  /** A YYYY-MM-DD date (the day ingested, the training's asOf); anything else is left out. */
  asOf?: string;
  stage?: string;
}

/** The patch that guards every upsert, so histories recorded before workflows carried attributes still replay. */
export const SEARCH_ATTRIBUTES_PATCH = 'search-attributes';

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A day as the `RetailflowAsOf` value (midnight UTC), or undefined for a value that is not a real day. */
export function asOfValue(date: string | undefined): Date | undefined {
  if (date === undefined || !ISO_DAY.test(date)) return undefined;
  const day = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== date ? undefined : day;
}

/**
 * The attributes of a run's tags: what a client sets when it starts the run (`typedSearchAttributes`
 * of a start or a schedule's action), so a run is listed before a worker picks it up, and what the
 * workflow upserts (workflows/runTags.ts), its stage as it advances.
 */
export function runSearchAttributes(tags: RunTags): SearchAttributePair[] {
  const asOf = asOfValue(tags.asOf);
  return [
    { key: PIPELINE_ATTRIBUTE, value: tags.pipeline },
    ...(tags.store !== undefined ? [{ key: STORE_ATTRIBUTE, value: tags.store }] : []),
    ...(tags.model !== undefined ? [{ key: MODEL_ATTRIBUTE, value: tags.model }] : []),
    ...(asOf ? [{ key: AS_OF_ATTRIBUTE, value: asOf }] : []),
    ...(tags.stage !== undefined ? [{ key: STAGE_ATTRIBUTE, value: tags.stage }] : []),
  ];
}
