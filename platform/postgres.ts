// The Postgres pool shared by activities and the API. The database may go away at any time (a
// restart, a managed failover): the pool then reports it once and reconnects on the next query,
// and the process lives on.
import pg from 'pg';
import type { Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { causes, outageLog } from './outage.ts';

// DATE columns as 'YYYY-MM-DD' strings, never shifted by the process's time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
// BIGINT counts fit in a double for everything this project stores.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Pool = pg.Pool;

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// SQLSTATEs of a server going away or not taking connections: class 08 (connection exception),
// 57P01-57P03 (shutdown, crash shutdown, cannot connect now), 53300 (too many connections).
const SERVER_GONE = /^(08...|57P0[123]|53300)$/;
const CLIENT_GONE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended)/;

/** Whether an error means the database could not be reached (rather than a bad query). */
export function isPostgresUnavailable(err: unknown): boolean {
  for (const e of causes(err)) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_GONE.test(code))) return true;
    if (typeof message === 'string' && CLIENT_GONE.test(message)) return true;
  }
  return false;
}

/** How every pool and client of the project reaches Postgres: the URL and the configured TLS. */
export const postgresConnection = (cfg: Config['postgres']): pg.ClientConfig => ({
  connectionString: cfg.url,
  ...(cfg.ssl === undefined ? {} : { ssl: cfg.ssl }),
});

export function createPool(
  cfg: Config['postgres'],
  applicationName = 'retailflow',
  log: Logger = createLogger(applicationName),
): pg.Pool {
  const pool = new pg.Pool({
    ...postgresConnection(cfg),
    max: cfg.poolMax,
    application_name: applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  const outage = outageLog(log, 'postgres');
  // A lost connection is emitted as an 'error' event: by the pool for an idle client, by the client
  // itself while it is checked out between two queries. Unheard, either would end the process.
  pool.on('error', (err) => outage.down(err));
  pool.on('connect', (client) => {
    outage.up();
    client.on('error', (err) => outage.down(err));
  });
  return pool;
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A text value as a field of COPY's text format: its separators and backslashes escaped, null as \N. */
export const copyField = (s: string | null): string =>
  s === null ? '\\N' : s.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!);

/** A query that needs no table: the database answers. */
export async function pingPostgres(pool: pg.Pool): Promise<void> {
  await pool.query('SELECT 1');
}

/**
 * Runs `work` on a client of its own: back to the pool when it returns, closed when it throws. A COPY
 * cut short (its stream destroyed by a failed upload) leaves the connection mid-protocol, and the
 * next query on it would wait forever: an activity's retry after a GCS outage hung until its timeout.
 */
export async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let result: T;
  try {
    result = await work(client);
  } catch (err) {
    client.release(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
  client.release();
  return result;
}

/** Runs `work` in one transaction on a client of its own: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
