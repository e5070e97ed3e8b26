// The four services of the local stack: how each is prepared, started and checked for health.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { devServerSearchAttributeArgs } from '../../contracts/searchAttributes.ts';
import type { Config } from '../../platform/config.ts';
import { codecEndpoint } from '../../platform/temporal.ts';
import { capture, isRoot, run } from './exec.ts';
import { DUCKDB_HOME, ROOT } from './paths.ts';
import type { ManagedProcess } from './processes.ts';
import type { Tools } from './tools.ts';

export type ServiceName = 'postgres' | 'gcs' | 'bigquery' | 'temporal' | 'prometheus';
export const SERVICE_NAMES: ServiceName[] = ['postgres', 'gcs', 'bigquery', 'temporal', 'prometheus'];

export interface Service {
  name: ServiceName;
  ports: { port: number; env: string }[];
  /** One-time preparation of the data dir (Postgres: initdb). */
  prepare?: () => Promise<void>;
  process: () => ManagedProcess;
  healthy: () => Promise<boolean>;
  /** Work after the first healthy answer (Postgres: create the database). */
  afterStart?: () => Promise<void>;
  /** Where a person reaches it. */
  url: string;
  /** Signal for a clean shutdown (Postgres: SIGINT = fast shutdown). */
  stopSignal?: NodeJS.Signals;
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await res.body?.cancel();
  return res.ok;
}

/** Postgres refuses to run as root: as root, run it as the `postgres` user the Debian package creates. */
async function postgresOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (!isRoot()) return undefined;
  try {
    return {
      uid: Number(await capture('id', ['-u', 'postgres'])),
      gid: Number(await capture('id', ['-g', 'postgres'])),
    };
  } catch {
    throw new Error(
      "running as root, but there is no `postgres` user to run PostgreSQL as; install Debian's postgresql package or set DATABASE_URL",
    );
  }
}

/**
 * Where Postgres keeps its files: under the data dir, unless (as root) the postgres user cannot
 * reach it, e.g. a checkout under /root or a mode-0700 temp dir. Then a directory of its own
 * under /var/tmp, named after the data dir so each stack still has its own.
 */
export async function postgresDataDir(dataDir: string): Promise<string> {
  const inside = path.join(dataDir, 'postgres');
  if (!isRoot()) return inside;
  await mkdir(dataDir, { recursive: true });
  const reachable = await run('runuser', ['-u', 'postgres', '--', 'test', '-x', dataDir], { quiet: true }).then(
    () => true,
    () => false,
  );
  if (reachable) return inside;
  return path.join('/var/tmp/retailflow-postgres', createHash('sha256').update(dataDir).digest('hex').slice(0, 16));
}

function postgres(
  cfg: Config,
  tools: Partial<Tools>,
  pgdata: string,
  owner: { uid: number; gid: number } | undefined,
): Service {
  const port = cfg.stack.ports.postgres;
  const bin = (name: string) => path.join(tools.postgresBin!, name);
  const adminUrl = `postgres://retailflow@127.0.0.1:${port}/postgres`;
  return {
    name: 'postgres',
    ports: [{ port, env: 'POSTGRES_PORT' }],
    url: `postgres://retailflow@127.0.0.1:${port}/retailflow`,
    async prepare() {
      if (existsSync(path.join(pgdata, 'PG_VERSION'))) return;
      // Parents get the default mode (the postgres user must traverse them); only pgdata is private.
      await mkdir(path.dirname(pgdata), { recursive: true });
      await mkdir(pgdata, { recursive: true, mode: 0o700 });
      if (owner) await chown(pgdata, owner.uid, owner.gid);
      const args = ['-D', pgdata, '-U', 'retailflow', '--auth=trust', '-E', 'UTF8', '--no-locale'];
      await (owner
        ? run('runuser', ['-u', 'postgres', '--', bin('initdb'), ...args], { quiet: true })
        : run(bin('initdb'), args, { quiet: true }));
    },
    process: () => ({
      name: 'postgres',
      cmd: bin('postgres'),
      args: [
        '-D',
        pgdata,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
        '-c',
        'shared_buffers=256MB',
      ],
      ...owner,
    }),
    stopSignal: 'SIGINT',
    async healthy() {
      const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1_000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    async afterStart() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = 'retailflow'");
        if (!rowCount) await client.query('CREATE DATABASE retailflow');
      } finally {
        await client.end();
      }
    },
  };
}

function gcs(cfg: Config, tools: Partial<Tools>, dataDir: string): Service {
  const port = cfg.stack.ports.gcs;
  const url = `http://127.0.0.1:${port}`;
  return {
    name: 'gcs',
    ports: [{ port, env: 'GCS_PORT' }],
    url,
    process: () => ({
      name: 'gcs',
      cmd: tools.fakeGcsServer!,
      args: [
        '-scheme',
        'http',
        '-host',
        '127.0.0.1',
        '-port',
        String(port),
        '-backend',
        'filesystem',
        '-filesystem-root',
        path.join(dataDir, 'gcs'),
        '-external-url',
        url,
        '-public-host',
        `127.0.0.1:${port}`,
        '-log-level',
        'warn',
      ],
    }),
    healthy: () => httpOk(`${url}/storage/v1/b`),
  };
}

function bigquery(cfg: Config, tools: Partial<Tools>, dataDir: string): Service {
  const { bigquery: port, bigqueryGrpc: grpcPort } = cfg.stack.ports;
  const url = `http://127.0.0.1:${port}`;
  return {
    name: 'bigquery',
    ports: [
      { port, env: 'BIGQUERY_PORT' },
      { port: grpcPort, env: 'BIGQUERY_GRPC_PORT' },
    ],
    url,
    prepare: async () => {
      await mkdir(path.join(dataDir, 'bigquery'), { recursive: true });
    },
    process: () => ({
      name: 'bigquery',
      cmd: tools.bqemulator!,
      args: [
        'start',
        '--persistent',
        '--data-dir',
        path.join(dataDir, 'bigquery'),
        '--rest-host',
        '127.0.0.1',
        '--rest-port',
        String(port),
        '--grpc-host',
        '127.0.0.1',
        '--grpc-port',
        String(grpcPort),
        '--project',
        cfg.bigquery.projectId,
        '--log-format',
        'json',
        '--log-level',
        'warning',
      ],
      // HOME holds the pre-placed DuckDB extensions (no download); gs:// load URIs resolve into
      // fake-gcs-server's filesystem backend, so load jobs read what the storage adapter wrote.
      env: { ...process.env, HOME: DUCKDB_HOME, BQEMU_GCS_LOCAL_ROOT: path.join(dataDir, 'gcs') },
    }),
    healthy: () => httpOk(`${url}/bigquery/v2/projects/${cfg.bigquery.projectId}/datasets`),
  };
}

function temporal(cfg: Config, tools: Partial<Tools>, dataDir: string): Service {
  const { temporal: port, temporalUi: uiPort } = cfg.stack.ports;
  return {
    name: 'temporal',
    ports: [
      { port, env: 'TEMPORAL_PORT' },
      { port: uiPort, env: 'TEMPORAL_UI_PORT' },
    ],
    url: cfg.temporal.uiUrl,
    prepare: async () => {
      await mkdir(path.join(dataDir, 'temporal'), { recursive: true });
    },
    process: () => ({
      name: 'temporal',
      cmd: tools.temporal!,
      args: [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--ui-port',
        String(uiPort),
        '--db-filename',
        path.join(dataDir, 'temporal', 'temporal.db'),
        '--namespace',
        cfg.temporal.namespace,
        '--log-level',
        'warn',
        // The UI shows payloads decrypted through the API's codec endpoint (api/routes/codec.ts).
        '--ui-codec-endpoint',
        codecEndpoint(cfg),
        // The workflows' custom search attributes, registered before any worker sets them.
        ...devServerSearchAttributeArgs(),
      ],
    }),
    async healthy() {
      const connection = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: '1s' });
      try {
        await connection.workflowService.getSystemInfo({});
        return await httpOk(`http://127.0.0.1:${uiPort}/`);
      } finally {
        await connection.close();
      }
    },
  };
}

/** The local Prometheus's config: deploy/prometheus's rules, and the targets in its targets/ folder. */
export function localPrometheusConfig(dataDir: string): string {
  const rules = ['recording', 'alerts'].map((r) => path.join(ROOT, 'deploy', 'prometheus', `${r}.rules.yml`));
  return [
    '# Written by the local stack (scripts/stack/services.ts) at each start; edit deploy/prometheus/ instead.',
    'global:',
    '  scrape_interval: 5s',
    '  evaluation_interval: 5s',
    'rule_files:',
    ...rules.map((r) => `  - ${JSON.stringify(r)}`),
    'scrape_configs:',
    '  - job_name: retailflow',
    '    file_sd_configs:',
    `      - files: [${JSON.stringify(path.join(dataDir, 'prometheus', 'targets', '*.json'))}]`,
    '        refresh_interval: 5s',
    '',
  ].join('\n');
}

/** The processes `npm start` runs, as file_sd targets: the API, and the worker when its port is fixed. */
export function localTargets(cfg: Config): { targets: string[]; labels: { service: string } }[] {
  const out = [{ targets: [`127.0.0.1:${cfg.api.port}`], labels: { service: 'api' } }];
  if (cfg.metrics.workerPort)
    out.push({ targets: [`127.0.0.1:${cfg.metrics.workerPort}`], labels: { service: 'worker' } });
  return out;
}

function prometheus(cfg: Config, tools: Partial<Tools>, dataDir: string): Service {
  const port = cfg.stack.ports.prometheus;
  const url = `http://127.0.0.1:${port}`;
  const dir = path.join(dataDir, 'prometheus');
  return {
    name: 'prometheus',
    ports: [{ port, env: 'PROMETHEUS_PORT' }],
    url,
    prepare: async () => {
      await mkdir(path.join(dir, 'targets'), { recursive: true });
      await writeFile(path.join(dir, 'prometheus.yml'), localPrometheusConfig(dataDir));
      await writeFile(path.join(dir, 'targets', 'stack.json'), JSON.stringify(localTargets(cfg), null, 2));
    },
    process: () => ({
      name: 'prometheus',
      cmd: tools.prometheus!,
      args: [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        '--storage.tsdb.retention.time=15d',
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
    }),
    healthy: () => httpOk(`${url}/-/ready`),
  };
}

export async function services(cfg: Config, tools: Partial<Tools>): Promise<Service[]> {
  const dataDir = cfg.stack.dataDir;
  const m = cfg.stack.managed;
  const list: Service[] = [];
  if (m.postgres) list.push(postgres(cfg, tools, await postgresDataDir(dataDir), await postgresOwner()));
  if (m.gcs) list.push(gcs(cfg, tools, dataDir));
  if (m.bigquery) list.push(bigquery(cfg, tools, dataDir));
  if (m.temporal) list.push(temporal(cfg, tools, dataDir));
  if (m.prometheus) list.push(prometheus(cfg, tools, dataDir));
  return list;
}
