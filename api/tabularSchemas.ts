// Requests and answers of the tabular model routes: prediction in the Vertex AI shape
// ({"instances": [...]} -> {"predictions": [...]}), versions, promotion and rollback, and the
// BigMart seed's /predict/ body ({"features": {...}} with its fields and types).
import { z } from '@hono/zod-openapi';
import {
  BIGMART_COLUMNS,
  BIGMART_TARGET,
  LOCATION_ORDINAL,
  OUTLET_SIZE_ORDINAL,
} from '../ml/tabular/presets/bigmart.ts';
import type { RawRow } from '../ml/tabular/values.ts';

export const MAX_INSTANCES = 1000;

const shown = (input: unknown) => JSON.stringify(input) ?? 'nothing';
const required = (expected: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${expected}, got ${shown(issue.input)}`;

const Table = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/, { error: 'must be a table name (letters, digits, _)' });
/** Where a run's or a scoring's rows come from (contracts/tabular.ts TabularSource). */
export const TabularSource = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('csv'),
      uri: z
        .string()
        .regex(/^gs:\/\/[^/]+\/[^'\\\s]+$/, { error: 'must be gs://<bucket>/<object>, without quotes or spaces' })
        .openapi({ example: 'gs://retailflow-local/bigmart/Test.csv' }),
    }),
    z.object({ kind: z.literal('postgres'), table: Table.openapi({ example: 'bigmart_test' }) }),
    z.object({ kind: z.literal('bigquery'), table: Table.openapi({ example: 'bigmart_test' }) }),
  ])
  .openapi('TabularSource', {
    description:
      "the rows: a CSV with a header (BigMart's Train.csv or Test.csv) in the project bucket, a Postgres table or a table of the warehouse's dataset",
  });

export const ModelName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, { error: (i) => `must be a model name, got "${String(i.input)}"` })
  .openapi({ example: 'bigmart', description: 'a tabular model, e.g. bigmart' });

export const VersionNumber = z
  .string()
  .regex(/^\d{1,9}$/, { error: (i) => `must be a whole number >= 1, got "${String(i.input)}"` })
  .transform(Number)
  .refine((n) => n >= 1, { error: 'must be a whole number >= 1' })
  .openapi({ example: '2' });

export const PredictRequest = z
  .object(
    {
      instances: z
        .array(z.unknown(), { error: required('a list of instances') })
        .min(1, { error: 'must list at least one instance' })
        .max(MAX_INSTANCES, {
          error: (i) =>
            `lists ${Array.isArray(i.input) ? i.input.length : 'too many'} instances: send at most ${MAX_INSTANCES} per request`,
        })
        .openapi({
          description: `1 to ${MAX_INSTANCES} objects of raw column values, as in the training file (null: unknown)`,
          example: [
            {
              Item_Identifier: 'FDA15',
              Item_Weight: 9.3,
              Item_Fat_Content: 'Low Fat',
              Item_Visibility: 0.016047,
              Item_Type: 'Dairy',
              Item_MRP: 249.8092,
              Outlet_Identifier: 'OUT049',
              Outlet_Establishment_Year: 1999,
              Outlet_Size: 'Medium',
              Outlet_Location_Type: 'Tier 1',
              Outlet_Type: 'Supermarket Type1',
            },
          ],
        }),
    },
    { error: required('a JSON object {"instances": [...]}') },
  )
  .strict()
  .openapi('TabularPredictRequest');

/** One hour's readings by the file's column names (null or -200: missing). */
const AirQualityReadings = z.record(z.string(), z.union([z.number(), z.string(), z.null()]));

/** Seed 001's request: an air-quality model with history features also reads each instance's `history`. */
export const AirQualityPredictRequest = z
  .object(
    {
      instances: z
        .array(
          z
            .looseObject({
              history: z
                .array(z.union([AirQualityReadings, z.null()]))
                .optional()
                .openapi({
                  description:
                    "the device's own readings of the hours before the instance, newest first: entry 0 one hour before, " +
                    "entry 167 168 hours before; null for an hour without readings, null or -200 for one sensor's gap. " +
                    'Required, with exactly as many entries as the version looks back (168 h), by a version trained with ' +
                    'history features (from 2026-12 on); refused by an older one. Entries carry PT08.S1(CO) .. PT08.S5(O3), ' +
                    'T, RH and AH (other columns of the instance may be there and are not read).',
                }),
            })
            .openapi('AirQualityInstance', {
              description:
                "an hour's readings by the file's column names, Hour, Weekday and (for a version with history features) history",
            }),
          { error: required('a list of instances') },
        )
        .min(1, { error: 'must list at least one instance' })
        .max(MAX_INSTANCES, {
          error: (i) =>
            `lists ${Array.isArray(i.input) ? i.input.length : 'too many'} instances: send at most ${MAX_INSTANCES} per request`,
        }),
    },
    { error: required('a JSON object {"instances": [...]}') },
  )
  .strict()
  .openapi('AirQualityPredictRequest');

export const PredictResponse = z
  .object({
    predictions: z.array(z.number()).openapi({
      description:
        'one per instance, in order: the value (regression) or the probability of the positive class (binary)',
    }),
    labels: z
      .array(z.union([z.literal(0), z.literal(1)]))
      .optional()
      .openapi({ description: 'binary classification: 1 where the probability is at or above `threshold`' }),
    threshold: z.number().optional().openapi({
      description:
        "binary classification: the version's decision threshold, chosen on its validation folds (0.5 when its spec chose none)",
      example: 0.31,
    }),
    model: z.string(),
    model_version: z.number().int(),
    model_label: z.string().openapi({ example: '20261201_213000' }),
  })
  .openapi('TabularPredictResponse');

export const TabularVersionSchema = z
  .object({
    version: z.number().int(),
    label: z.string().openapi({ example: '20261201_213000' }),
    stage: z.enum(['staging', 'production', 'archived']),
    learner: z.string().openapi({ example: 'lasso' }),
    params: z.record(z.string(), z.unknown()).openapi({ description: "the chosen trial's hyperparameters" }),
    metrics: z.object({
      test: z.record(z.string(), z.number()).openapi({ description: "on the run's test rows" }),
      crossValidation: z.record(z.string(), z.object({ mean: z.number(), std: z.number() })),
      trials: z.number().int(),
    }),
    run_id: z.string(),
    created_at: z.date(),
    promoted_at: z.date().nullable(),
    replaced: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'the production version it replaced when last promoted: where a rollback from it goes' }),
    rolled_back_at: z.date().nullable(),
  })
  .openapi('TabularVersion');

export const ProductionChangeResponse = z
  .object({
    model: z.string(),
    version: z.number().int().openapi({ description: 'the production version now' }),
    changed: z.boolean().openapi({ description: 'false when it already was (a repeated request)' }),
    replaced: z.number().int().nullable().openapi({ description: 'the version it took over from' }),
  })
  .openapi('ProductionChange');

export const RollbackRequest = z
  .object(
    {
      from: z
        .number({ error: required('the production version to roll back from (a whole number)') })
        .int({ error: 'must be a whole number' })
        .positive({ error: 'must be a whole number >= 1' })
        .openapi({ example: 3 }),
    },
    { error: required('a JSON object {"from": <version>}') },
  )
  .strict()
  .openapi('RollbackRequest');

/** The seed's integer codes, mapped back to the labels the models read. */
const codes = (labels: Record<string, number>) =>
  Object.fromEntries(Object.entries(labels).map(([label, code]) => [code, label])) as Record<number, string>;
const SIZE_LABELS = codes(OUTLET_SIZE_ORDINAL);
const LOCATION_LABELS = codes(LOCATION_ORDINAL);
const described = (labels: Record<number, string>) =>
  Object.entries(labels)
    .map(([code, label]) => `${code} (${label})`)
    .join(', ');

/** The seed's ordinal (an integer) or the label itself. */
const Ordinal = (labels: Record<number, string>, example: number) =>
  z
    .union([z.number().int(), z.string()], {
      error: required(`a label or the seed's code: ${described(labels)}`),
    })
    .transform((v, ctx) => {
      if (typeof v === 'string') return v;
      const label = labels[v];
      if (label !== undefined) return label;
      ctx.addIssue({ code: 'custom', message: `must be a label or one of ${described(labels)}, got ${v}`, input: v });
      return z.NEVER;
    })
    .openapi({ example, description: `the label, or the seed's code: ${described(labels)}` });

const num = (example: number) => z.number({ error: required('a number') }).openapi({ example });
const label = (example: string) => z.string({ error: required('a string') }).openapi({ example });

/** The other BigMart columns: the seed's clients do not send them; when sent, the model uses them. */
const OTHER_COLUMNS = ['Item_Identifier', 'Item_Fat_Content', 'Item_Type', 'Outlet_Identifier'] as const;

export const BigMartSeedRequest = z
  .object(
    {
      features: z
        .object(
          {
            Item_Weight: num(9.3).nullable().optional().openapi({ description: 'null or left out: unknown' }),
            Item_Visibility: num(0.016047),
            Item_MRP: num(249.8092),
            Outlet_Establishment_Year: z
              .number({ error: required('a year (a whole number)') })
              .int({ error: 'must be a year (a whole number)' })
              .openapi({ example: 1999 }),
            Outlet_Size: Ordinal(SIZE_LABELS, 1).nullable().optional(),
            Outlet_Location_Type: Ordinal(LOCATION_LABELS, 0),
            Outlet_Type: label('Supermarket Type2'),
            ...Object.fromEntries(OTHER_COLUMNS.map((c) => [c, label('').nullable().optional()])),
          },
          { error: required('an object of the features') },
        )
        .strict(),
    },
    { error: required('a JSON object {"features": {...}}') },
  )
  .strict()
  .transform(({ features }): RawRow => {
    // The columns the seed does not send are unknown (null): the model fills them in as its spec says.
    const row: Record<string, unknown> = {};
    for (const c of BIGMART_COLUMNS)
      if (c !== BIGMART_TARGET) row[c] = (features as Record<string, unknown>)[c] ?? null;
    return row;
  })
  .openapi('BigMartSeedRequest', {
    description:
      "The BigMart seed's /predict/ body: its seven features (Outlet_Size and Outlet_Location_Type as its integer codes or as labels)",
  });

export const BigMartSeedResponse = z
  .object({ prediction: z.number().openapi({ example: 1469.15 }) })
  .openapi('BigMartSeedResponse');
