// The production models the API serves from memory: each series' forecast model with its recent
// days (the calendar a forecast assumes), the customer segmentation model, and each tabular model
// (its fitted preprocessing and model, read from GCS when stored there). Each is loaded on
// first use and kept. The registry announces every promotion on a Postgres channel: the API listens
// and drops those models, so the next request serves the new version. Entries also expire, because
// a new day of sales changes a forecast's calendar.
import pg from 'pg';
import { SEGMENTATION_MODEL, type SegmentationModelParams } from '../contracts/segmentation.ts';
import { forecastModelName } from '../contracts/training.ts';
import { datesBetween } from '../domain/dates.ts';
import { forecastDates, type SourcedPoint } from '../ml/forecast/engines.ts';
import type { FittedModel, GivenDay, SeriesDay } from '../ml/forecast/types.ts';
import type { FittedTabular } from '../ml/tabular/evaluate.ts';
import { instanceInputs, type InstanceInputs } from '../ml/tabular/instances.ts';
import type { Logger } from './logger.ts';
import { outageLog } from './outage.ts';
import { servableModel } from './globalModels.ts';
import { PRODUCTION_CHANGED_CHANNEL, productionVersion } from './registry.ts';
import { productionSegmentation } from './segmentRegistry.ts';
import { latestSeriesWindow } from './seriesHistory.ts';
import type { ObjectStore } from './storage.ts';
import { fittedTabular, productionTabular, type TabularModelParams } from './tabularRegistry.ts';
import { metrics } from './metrics.ts';

type ModelKind = 'sales_forecast' | 'segmentation' | 'tabular';

/** Enough days for the calendar's look-backs (4 weeks) with room to spare. */
const CALENDAR_DAYS = 56;
const RECONNECT_MS = { first: 500, max: 5_000 };
const UNHEARD_TTL_MS = 5_000;

export interface ServingModel {
  name: string;
  version: number;
  /** The series' latest day of history, if it has any: forecasts assume the calendar after it. */
  lastDay: string | undefined;
  /**
   * The forecast of the days from begin to end, both included; `given` states the calendar of some
   * days; `explain` adds each day's drivers.
   */
  forecast(
    begin: string,
    end: string,
    given?: ReadonlyMap<string, GivenDay>,
    o?: { explain?: boolean },
  ): SourcedPoint[];
}

/** Ranges of one series' forecasts kept: most requests ask the same next days of it again. */
const FORECASTS_KEPT = 8;

/** A model and the series' last days (oldest first), for forecasting. */
function servingModel(name: string, version: number, model: FittedModel, history: SeriesDay[]): ServingModel {
  // A forecast is a pure function of the model, the history and the days, all fixed here.
  const kept = new Map<string, SourcedPoint[]>();
  return {
    name,
    version,
    lastDay: history.at(-1)?.date,
    forecast(begin, end, given, o) {
      // Only the common answer is kept: a stated calendar changes it, drivers enlarge it.
      if (given?.size || o?.explain) return forecastDates(model, history, datesBetween(begin, end), given, o);
      const key = `${begin}/${end}`;
      let points = kept.get(key);
      if (!points) {
        points = forecastDates(model, history, datesBetween(begin, end));
        if (kept.size >= FORECASTS_KEPT) kept.clear();
        kept.set(key, points);
      }
      return points;
    },
  };
}

/** The production segmentation version: what /predict assigns customers with. */
export interface ServingSegmentation {
  version: number;
  runId: string;
  params: SegmentationModelParams;
}

/** A tabular model's production version: what /v1/models/:name/predict and the seed's /predict/ use. */
export interface ServingTabular {
  name: string;
  version: number;
  label: string;
  runId: string;
  learner: string;
  fitted: FittedTabular;
  /** What its instances must look like. */
  inputs: InstanceInputs;
}

interface Entry {
  loaded: Promise<unknown>;
  expiresAt: number;
}

export class ProductionModels {
  private readonly entries = new Map<string, Entry>();
  private client: pg.Client | undefined;
  private listening = false;
  private closed = false;
  private reconnectMs = RECONNECT_MS.first;
  private readonly outage: ReturnType<typeof outageLog>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly store: ObjectStore,
    log: Logger,
    private readonly ttlMs = 10 * 60_000,
  ) {
    this.outage = outageLog(log.child({ part: 'model cache listener' }), 'postgres');
  }

  /** The series' production model, or undefined if it has none. */
  get(storeId: number, product: string): Promise<ServingModel | undefined> {
    const name = forecastModelName(storeId, product);
    return this.cached('sales_forecast', name, () => this.load(name, storeId, product));
  }

  /** The production segmentation version, or undefined if there is none yet. */
  segmentation(): Promise<ServingSegmentation | undefined> {
    return this.cached('segmentation', SEGMENTATION_MODEL, async () => {
      const row = await productionSegmentation(this.pool);
      return row && { version: row.version, runId: row.runId, params: row.params };
    });
  }

  /** The tabular model's production version, or undefined if it has none (or is no tabular model). */
  async tabular(name: string): Promise<ServingTabular | undefined> {
    return this.cached('tabular', tabularKey(name), async () => {
      const row = await productionTabular(this.pool, name);
      return row && servingTabular(name, row, await fittedTabular(this.store, row.params));
    });
  }

  private cached<T>(kind: ModelKind, name: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const cached = this.entries.get(name);
    const hit = cached !== undefined && cached.expiresAt > now;
    metrics.modelCache.inc({ kind, result: hit ? 'hit' : 'miss' });
    if (hit) return cached.loaded as Promise<T>;
    // Callers asking at once share one load. A failed load is not kept, nor is "no production
    // version" (the promotion's NOTIFY may reach the listener after the next request does; and
    // names a client made up are not held).
    const loaded = load();
    // Without a listener nobody says when a model is promoted: keep it only briefly.
    const entry = { loaded, expiresAt: now + (this.listening ? this.ttlMs : UNHEARD_TTL_MS) };
    this.entries.set(name, entry);
    const drop = () => {
      if (this.entries.get(name) === entry) this.entries.delete(name);
    };
    loaded.then((model) => {
      if (model === undefined) drop();
    }, drop);
    return loaded;
  }

  /** Forgets these models (all of them with '*'), so the next request loads what the registry says now. */
  forget(models: string[] | '*'): void {
    if (models === '*') this.entries.clear();
    else
      for (const m of models) {
        this.entries.delete(m);
        this.entries.delete(tabularKey(m));
      }
  }

  /** Listens for promotions until close(), reconnecting when the connection is lost (forgetting everything meanwhile). */
  listen(connection: pg.ClientConfig): void {
    if (this.closed) return;
    // Kept from the start, so that close() also ends a connection still being made.
    const client = new pg.Client({ ...connection, application_name: 'retailflow-api-models' });
    this.client = client;
    this.listening = false;
    let lost = false;
    const retry = (err?: Error) => {
      if (lost) return;
      lost = true;
      this.listening = false;
      this.forget('*');
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.outage.down(err ?? new Error('connection ended'));
      setTimeout(() => this.listen(connection), this.reconnectMs).unref();
      this.reconnectMs = Math.min(this.reconnectMs * 2, RECONNECT_MS.max);
    };
    client.on('notification', (msg) => this.forget(parseAnnouncement(msg.payload)));
    client.on('error', retry);
    client.on('end', () => retry());
    client
      .connect()
      .then(() => client.query(`LISTEN ${PRODUCTION_CHANGED_CHANNEL}`))
      .then(() => {
        this.listening = true;
        this.reconnectMs = RECONNECT_MS.first;
        this.outage.up();
        // Whatever was promoted while nobody listened.
        this.forget('*');
      }, retry);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
  }

  private async load(name: string, storeId: number, product: string): Promise<ServingModel | undefined> {
    const row = await productionVersion(this.pool, name);
    if (!row) return undefined;
    const history = await latestSeriesWindow(this.pool, storeId, product, CALENDAR_DAYS);
    const model = await servableModel(this.store, { engine: row.engine, params: row.params });
    return servingModel(name, row.version, model, history);
  }
}

/** Tabular models are kept apart from the others: a client names them, and may name another kind's model. */
const tabularKey = (name: string) => `tabular:${name}`;

function servingTabular(
  name: string,
  row: { version: number; runId: string; params: TabularModelParams },
  fitted: FittedTabular,
): ServingTabular {
  return {
    name,
    version: row.version,
    label: row.params.label,
    runId: row.runId,
    learner: fitted.model.learner,
    fitted,
    inputs: instanceInputs(fitted.preprocessing),
  };
}

function parseAnnouncement(payload: string | undefined): string[] | '*' {
  try {
    const parsed: unknown = JSON.parse(payload ?? '');
    return Array.isArray(parsed) ? parsed.map(String) : '*';
  } catch {
    return '*';
  }
}
