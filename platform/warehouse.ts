// The BigQuery warehouse on @google-cloud/bigquery: real BigQuery, or bqemulator when an endpoint is set.
import { BigQuery, type TableField, type TableMetadata } from '@google-cloud/bigquery';
import type { File } from '@google-cloud/storage';
import { OAuth2Client } from 'google-auth-library';
import type { Config } from './config.ts';

export type Schema = TableField[];

/** Emulators accept any bearer token; this keeps the client from probing for cloud credentials. */
function emulatorAuth(): OAuth2Client {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'emulator', expiry_date: Date.now() + 10 * 365 * 86_400_000 });
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

  /** Replaces a table's content with a newline-delimited JSON object from storage (one load job). */
  async loadReplacing(tableName: string, source: File, schema: Schema): Promise<void> {
    const [job] = await this.client.dataset(this.datasetId).table(tableName).load(source, {
      sourceFormat: 'NEWLINE_DELIMITED_JSON',
      writeDisposition: 'WRITE_TRUNCATE',
      createDisposition: 'CREATE_IF_NEEDED',
      schema: { fields: schema },
    });
    const error = job.status?.errorResult;
    if (error) throw new Error(`BigQuery load into ${tableName} failed: ${error.message ?? JSON.stringify(error)}`);
  }

  /**
   * Upserts the rows of a storage object into a table by key: load into a staging table, then one
   * MERGE. Running it twice leaves the table as running it once, so activities may retry it.
   */
  async upsertFromObject(tableName: string, source: File, schema: Schema, keys: string[]): Promise<void> {
    const staging = `_staging_${tableName}_${source.name.replace(/\W+/g, '_')}`.slice(0, 1000);
    await this.loadReplacing(staging, source, schema);
    const columns = schema.map((f) => f.name!);
    const on = keys.map((k) => `T.${k} = S.${k}`).join(' AND ');
    const set = columns.filter((c) => !keys.includes(c)).map((c) => `${c} = S.${c}`).join(', ');
    try {
      await this.query(`MERGE ${this.table(tableName)} T USING ${this.table(staging)} S ON ${on}
        ${set ? `WHEN MATCHED THEN UPDATE SET ${set}` : ''}
        WHEN NOT MATCHED THEN INSERT (${columns.join(', ')}) VALUES (${columns.map((c) => `S.${c}`).join(', ')})`);
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
    const [rows] = await job.getQueryResults();
    return rows as T[];
  }

  /** Cheap round trip used by readiness checks. */
  async ping(): Promise<void> {
    await this.client.dataset(this.datasetId).exists();
  }
}
