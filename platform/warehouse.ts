// The BigQuery warehouse on @google-cloud/bigquery: real BigQuery, or bqemulator when an endpoint is set.
import { BigQuery, type TableField, type TableMetadata } from '@google-cloud/bigquery';
import type { File } from '@google-cloud/storage';
import { OAuth2Client } from 'google-auth-library';
import { DAY_MS, ISO_DATE } from '../domain/dates.ts';
import type { Config } from './config.ts';

export type Schema = TableField[];

/** Emulators accept any bearer token; this keeps the client from probing for cloud credentials. */
function emulatorAuth(): OAuth2Client {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'emulator', expiry_date: Date.now() + 10 * 365 * DAY_MS });
  return auth;
}

export class Warehouse {
  readonly client: BigQuery;
  readonly projectId: string;
  readonly datasetId: string;
  private readonly location: string;

  constructor(cfg: Config['bigquery']) {
    this.client = new BigQuery({
      projectId: cfg.projectId,
      location: cfg.location,
      ...(cfg.endpoint ? { apiEndpoint: cfg.endpoint, authClient: emulatorAuth() } : {}),
    });
    this.projectId = cfg.projectId;
    this.datasetId = cfg.dataset;
    this.location = cfg.location;
  }

  /** Fully qualified name for SQL: `project.dataset.table`. */
  table(name: string): string {
    return `\`${this.projectId}.${this.datasetId}.${name}\``;
  }

  async ensureDataset(): Promise<void> {
    const dataset = this.client.dataset(this.datasetId);
    const [exists] = await dataset.exists();
    if (exists) return;
    try {
      await this.client.createDataset(this.datasetId, { location: this.location });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
    }
  }

  async ensureTable(name: string, schema: Schema, options: Omit<TableMetadata, 'schema'> = {}): Promise<void> {
    const table = this.client.dataset(this.datasetId).table(name);
    const [exists] = await table.exists();
    if (exists) return;
    try {
      await table.create({ schema: { fields: schema }, ...options });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
    }
  }

  /** The column names of a table of the dataset, in order; undefined when there is no such table. */
  async columnsOf(name: string): Promise<string[] | undefined> {
    const table = this.client.dataset(this.datasetId).table(name);
    const [exists] = await table.exists();
    if (!exists) return undefined;
    const [metadata] = (await table.getMetadata()) as [TableMetadata, unknown];
    return (metadata.schema?.fields ?? []).map((f) => f.name!);
  }

  /** A staging table per target and object, so concurrent loads of different objects never collide. */
  private stagingTable(tableName: string, source: File): string {
    return `_staging_${tableName}_${source.name.replace(/\W+/g, '_')}`.slice(0, 1000);
  }

  /**
   * Replaces a table's content with newline-delimited JSON objects from storage (one load job);
   * returns the rows loaded. Objects may be gzipped (BigQuery detects it, the emulator by a .gz name).
   * Not CSV: the emulator sniffs a CSV's dialect from its first rows and then fails on a doubled
   * quote ("") further down.
   */
  async loadReplacing(tableName: string, source: File | File[], schema: Schema): Promise<number> {
    // createLoadJob, then poll only if it is not done: table.load() always polls on a slow schedule,
    // far slower than the emulator's load jobs, which finish within the request (bench/README.md).
    const [job] = await this.client
      .dataset(this.datasetId)
      .table(tableName)
      .createLoadJob(source, {
        sourceFormat: 'NEWLINE_DELIMITED_JSON',
        writeDisposition: 'WRITE_TRUNCATE',
        createDisposition: 'CREATE_IF_NEEDED',
        schema: { fields: schema },
      });
    type Status = { state?: string; errorResult?: { message?: string } };
    const metadata = () =>
      job.metadata as { status?: Status; statistics?: { load?: { outputRows?: string } } } | undefined;
    if (metadata()?.status?.state !== 'DONE') await job.promise();
    const error = metadata()?.status?.errorResult;
    if (error) throw new Error(`BigQuery load into ${tableName} failed: ${error.message ?? JSON.stringify(error)}`);
    return Number(metadata()?.statistics?.load?.outputRows ?? NaN);
  }

  /**
   * Upserts the rows of a storage object into a table by key: load into a staging table, then one
   * MERGE. Running it twice leaves the table as running it once, so activities may retry it.
   */
  async upsertFromObject(tableName: string, source: File, schema: Schema, keys: string[]): Promise<void> {
    const staging = this.stagingTable(tableName, source);
    await this.loadReplacing(staging, source, schema);
    const columns = schema.map((f) => f.name!);
    const on = keys.map((k) => `T.${k} = S.${k}`).join(' AND ');
    const set = columns
      .filter((c) => !keys.includes(c))
      .map((c) => `${c} = S.${c}`)
      .join(', ');
    try {
      await this.query(`MERGE ${this.table(tableName)} T USING ${this.table(staging)} S ON ${on}
        ${set ? `WHEN MATCHED THEN UPDATE SET ${set}` : ''}
        WHEN NOT MATCHED THEN INSERT (${columns.join(', ')}) VALUES (${columns.map((c) => `S.${c}`).join(', ')})`);
    } finally {
      await this.client.dataset(this.datasetId).table(staging).delete({ ignoreNotFound: true });
    }
  }

  /**
   * Replaces the rows of a date range (whole partitions) with storage objects' rows, atomically:
   * what BigQuery's WRITE_TRUNCATE on a partition decorator does, in a form the emulator also runs
   * (it has no decorators, and its MERGE ... NOT MATCHED BY SOURCE took ~40 s a month where this
   * transaction takes 0.5 s). The objects must hold only rows of the range. A rerun leaves the same rows.
   */
  async replaceDateRange(
    tableName: string,
    sources: File[],
    schema: Schema,
    column: string,
    from: string,
    to: string,
  ): Promise<void> {
    // Inlined, not parameters: the emulator binds no parameters inside scripts. Checked to be dates.
    for (const d of [from, to]) if (!ISO_DATE.test(d)) throw new Error(`not a date: ${d}`);
    await this.replaceMatching(tableName, sources, schema, `${column} BETWEEN DATE '${from}' AND DATE '${to}'`);
  }

  /**
   * Replaces the rows whose `column` equals `value` (a model version, say) with storage objects'
   * rows, atomically, as replaceDateRange does for dates. The objects must hold only such rows.
   */
  async replaceRowsOf(
    tableName: string,
    sources: File[],
    schema: Schema,
    column: string,
    value: number,
  ): Promise<void> {
    // Inlined as replaceDateRange's dates are: checked to be a whole number.
    if (!Number.isSafeInteger(value)) throw new Error(`${column}: not a whole number: ${value}`);
    await this.replaceMatching(tableName, sources, schema, `${column} = ${value}`);
  }

  /**
   * Replaces the rows whose columns equal these values (a model, version and dataset, say) with
   * storage objects' rows, atomically, as replaceRowsOf does for one number. Strings are inlined
   * (scripts bind no parameters), so one holding a quote or a backslash is refused.
   */
  async replaceRowsWhere(
    tableName: string,
    sources: File[],
    schema: Schema,
    equals: Record<string, string | number>,
  ): Promise<void> {
    const where = Object.entries(equals).map(([column, value]) => {
      if (typeof value === 'number') {
        if (!Number.isSafeInteger(value)) throw new Error(`${column}: not a whole number: ${value}`);
        return `${column} = ${value}`;
      }
      if (/['\\\n]/.test(value))
        throw new Error(`${column}: quotes, backslashes and newlines cannot be inlined: ${value}`);
      return `${column} = '${value}'`;
    });
    // Nothing to load: only the old rows to drop.
    if (!sources.length) await this.query(`DELETE FROM ${this.table(tableName)} WHERE ${where.join(' AND ')}`);
    else await this.replaceMatching(tableName, sources, schema, where.join(' AND '));
  }

  private async replaceMatching(tableName: string, sources: File[], schema: Schema, where: string): Promise<void> {
    if (!sources[0]) throw new Error(`no objects to load into ${tableName}`);
    const staging = this.stagingTable(tableName, sources[0]);
    await this.loadReplacing(staging, sources, schema);
    const columns = schema.map((f) => f.name!).join(', ');
    try {
      await this.query(`BEGIN TRANSACTION;
        DELETE FROM ${this.table(tableName)} WHERE ${where};
        INSERT INTO ${this.table(tableName)} (${columns}) SELECT ${columns} FROM ${this.table(staging)};
        COMMIT TRANSACTION;`);
    } finally {
      await this.client.dataset(this.datasetId).table(staging).delete({ ignoreNotFound: true });
    }
  }

  /**
   * Runs a query as a job. Not `client.query()`: its stateless jobs.query path ignores errors that
   * bqemulator reports in a 200 answer, so a failed MERGE would pass silently; a job's status is checked.
   */
  async query<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]> {
    const [job] = await this.client.createQueryJob({ query: sql, params, location: this.location });
    const error = (job.metadata as { status?: { errorResult?: { message?: string } } } | undefined)?.status
      ?.errorResult;
    if (error) throw new Error(`BigQuery query failed: ${error.message ?? JSON.stringify(error)}`);
    const [rows] = await job.getQueryResults();
    return rows as T[];
  }

  /** Cheap round trip used by readiness checks. */
  async ping(): Promise<void> {
    await this.client.dataset(this.datasetId).exists();
  }
}
