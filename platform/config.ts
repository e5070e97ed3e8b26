// Configuration: the environment parsed once with zod. Defaults describe the local stack that
// `npm start` runs; production sets RETAILFLOW_STACK=external and points each service elsewhere.
// Temporal's connection settings are read by @temporalio/envconfig, as every Temporal SDK and the
// CLI read them: the same TEMPORAL_* variables and temporal.toml profiles work here.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import path from 'node:path';
import { loadClientConfigProfile, toClientOptions } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { z } from 'zod';
import { PayloadKeyRing, type PayloadKeySource } from './payloadCodec.ts';

export const API_ROLES = ['read', 'write', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];
export interface ApiKey {
  name: string;
  role: ApiRole;
  /** sha256 of the key: the plain key is never kept in memory past parsing. */
  sha256: string;
}

/** How a key is kept and compared: its sha256, in hex. */
export const keyDigest = (key: string): string => createHash('sha256').update(key).digest('hex');

export const TASK_QUEUES = { ingest: 'ingest', training: 'training', interactive: 'interactive' } as const;
export type TaskQueueName = keyof typeof TASK_QUEUES;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const portError = { error: 'must be a port number from 1 to 65535' };
const port = z.coerce.number(portError).int(portError).min(1, portError).max(65535, portError);
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const url = z.url({ protocol: /^https?$/ });
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const apiKeys = z.string().transform((raw, ctx): ApiKey[] => {
  const keys: ApiKey[] = [];
  for (const [i, entry] of raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .entries()) {
    // name:role:key, so a leaked log line can name the key without showing it.
    const [name, role, key, ...rest] = entry.split(':');
    if (!name || !role || !key || rest.length > 0 || !API_ROLES.includes(role as ApiRole)) {
      ctx.addIssue({
        code: 'custom',
        message: `entry ${i + 1} must be name:role:key with role one of ${API_ROLES.join('|')}`,
      });
      return z.NEVER;
    }
    // A key may be given as its digest, sha256=<64 hex>, so the plain key need not be in the environment.
    const digest = /^sha256=([0-9a-f]{64})$/.exec(key)?.[1];
    if (!digest && key.length < 16) {
      ctx.addIssue({
        code: 'custom',
        message: `entry ${i + 1} (${name}): key must be at least 16 characters (or sha256=<64 hex digits>)`,
      });
      return z.NEVER;
    }
    keys.push({ name, role: role as ApiRole, sha256: digest ?? keyDigest(key) });
  }
  return keys;
});

const EnvSchema = z.object({
  RETAILFLOW_STACK: z.enum(['local', 'external']).default('local'),
  RETAILFLOW_DATA_DIR: z.string().min(1).default('.data/dev'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),

  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  POSTGRES_PORT: port.default(15432),
  GCS_PORT: port.default(4443),
  BIGQUERY_PORT: port.default(9050),
  BIGQUERY_GRPC_PORT: port.default(9060),

  TEMPORAL_UI_URL: optional(url),
  PAYLOAD_KEYS: optional(z.string()),
  PAYLOAD_KEYS_FILE: optional(z.string()),
  WORKFLOW_BUNDLE_PATH: optional(z.string()),

  DATABASE_URL: optional(z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_SSL: optional(z.enum(['disable', 'require', 'verify-full'])),
  DATABASE_SSL_ROOT_CERT_PATH: optional(z.string()),
  DATABASE_SSL_CERT_PATH: optional(z.string()),
  DATABASE_SSL_KEY_PATH: optional(z.string()),

  GCP_PROJECT: z.string().min(1).default('retailflow-local'),
  GCS_ENDPOINT: optional(url),
  GCS_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/, 'must be a valid bucket name')
    .default('retailflow-local'),
  BIGQUERY_ENDPOINT: optional(url),
  BIGQUERY_PROJECT: optional(z.string().min(1)),
  BIGQUERY_DATASET: z
    .string()
    .regex(/^\w{1,1024}$/, 'letters, digits and underscores only')
    .default('retailflow'),
  BIGQUERY_LOCATION: z.string().min(1).default('US'),

  INGEST_TIMEZONE: z
    .string()
    .refine(
      (tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      },
      { error: 'must be an IANA time zone such as Europe/Berlin' },
    )
    .default('UTC'),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  API_KEYS: apiKeys.default([]),
  API_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  API_RETRAINS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  API_READS_NEED_KEY: flag.default(false),

  // 0: any free port (several worker processes on one machine, as in the tests).
  WORKER_METRICS_PORT: z.coerce.number(portError).int(portError).min(0, portError).max(65535, portError).default(9464),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  PROMETHEUS_PORT: port.default(9090),
  PROMETHEUS_URL: optional(url),
});

/** The Temporal connection variables @temporalio/envconfig reads (besides TEMPORAL_GRPC_META_*). */
const TEMPORAL_ENV_VARS = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_PROFILE',
  'TEMPORAL_CONFIG_FILE',
];

/** Every environment variable the configuration reads. */
export const ENV_VARS = [...Object.keys(EnvSchema.shape), ...TEMPORAL_ENV_VARS];

/** Variables of earlier versions, and what replaced them. */
const RENAMED: Record<string, string> = {
  TEMPORAL_TLS_CERT_PATH: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  TEMPORAL_TLS_KEY_PATH: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
};

/** How to reach Temporal beyond its address: what NativeConnection and Connection both take. */
export type TemporalConnectionSettings = Pick<NativeConnectionOptions, 'tls' | 'apiKey' | 'metadata'>;

export interface Config {
  stack: {
    mode: 'local' | 'external';
    dataDir: string;
    ports: {
      temporal: number;
      temporalUi: number;
      postgres: number;
      gcs: number;
      bigquery: number;
      bigqueryGrpc: number;
      prometheus: number;
    };
    /** Services the project itself runs: those in local mode whose address the user did not set. */
    managed: { temporal: boolean; postgres: boolean; gcs: boolean; bigquery: boolean; prometheus: boolean };
  };
  logLevel: string;
  temporal: {
    address: string;
    namespace: string;
    connection: TemporalConnectionSettings;
    uiUrl: string;
    taskQueues: typeof TASK_QUEUES;
    /** The keys payloads are encrypted with (platform/payloadCodec.ts). */
    payloadKeys: PayloadKeySource;
    /** A workflow bundle built ahead (the image's, by scripts/bundle-workflows.ts); else workers bundle at start. */
    workflowBundlePath?: string;
  };
  postgres: {
    url: string;
    poolMax: number;
    /** TLS to Postgres as pg takes it: off, or the CA, client certificate and whether to verify. */
    ssl?: false | Pick<TlsOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'>;
  };
  gcs: { endpoint?: string; bucket: string; projectId: string };
  bigquery: { endpoint?: string; projectId: string; dataset: string; location: string };
  api: {
    host: string;
    port: number;
    keys: ApiKey[];
    bodyLimitBytes: number;
    /** Retrains one key may start per minute; more get 429. */
    retrainsPerMinute: number;
    /** Whether reads (GETs, POST /v1/forecast) need a key with the read role too. */
    readsNeedKey: boolean;
  };
  metrics: {
    /** Where each worker process serves /metrics (the API serves it on its own port). */
    host: string;
    workerPort: number;
    /** The Prometheus that scrapes them, for the Operations view. */
    prometheusUrl: string;
  };
  /** Time zone of the daily ingest schedule (00:30 there, for the previous day there). */
  ingestTimeZone: string;
}

type TemporalProfile =
  | { problems: string[] }
  | { problems?: undefined; address?: string; namespace?: string; connection: TemporalConnectionSettings };

/** The Temporal profile (temporal.toml and TEMPORAL_* variables), or the problems it has. */
function temporalProfile(env: Record<string, string | undefined>): TemporalProfile {
  // Empty means unset here, as for every other variable.
  const set = Object.fromEntries(
    Object.entries(env).filter((kv): kv is [string, string] => kv[1] !== undefined && kv[1] !== ''),
  );
  try {
    const profile = loadClientConfigProfile({ overrideEnvVars: set });
    const problems: string[] = [];
    if (profile.address !== undefined && !/^[^:\s]+:\d+$/.test(profile.address))
      problems.push(`TEMPORAL_ADDRESS: must be host:port, got "${profile.address}"`);
    const tls = profile.tls;
    if (tls && !tls.disabled && Boolean(tls.clientCert) !== Boolean(tls.clientKey)) {
      problems.push('TEMPORAL_TLS_CLIENT_CERT_PATH/TEMPORAL_TLS_CLIENT_KEY_PATH: set both for mTLS, or neither');
    }
    if (problems.length) return { problems };
    const { namespace, connectionOptions } = toClientOptions(profile);
    const { tls: tlsOptions, apiKey, metadata } = connectionOptions;
    return { address: profile.address, namespace, connection: { tls: tlsOptions ?? false, apiKey, metadata } };
  } catch (err) {
    return { problems: [`Temporal client settings (TEMPORAL_* variables, temporal.toml): ${(err as Error).message}`] };
  }
}

/** PAYLOAD_KEYS, else PAYLOAD_KEYS_FILE, else (local stack only) the key file the stack writes. */
function payloadKeySource(e: z.infer<typeof EnvSchema>, local: boolean): PayloadKeySource | { problem: string } {
  if (e.PAYLOAD_KEYS) {
    try {
      return { ring: PayloadKeyRing.parse(e.PAYLOAD_KEYS, 'PAYLOAD_KEYS') };
    } catch (err) {
      return { problem: (err as Error).message };
    }
  }
  if (e.PAYLOAD_KEYS_FILE) return { file: path.resolve(e.PAYLOAD_KEYS_FILE) };
  if (local) return { file: localPayloadKeysFile(path.resolve(e.RETAILFLOW_DATA_DIR)) };
  return { problem: 'PAYLOAD_KEYS or PAYLOAD_KEYS_FILE: required when RETAILFLOW_STACK=external' };
}

type PostgresTls = Config['postgres']['ssl'];

/**
 * DATABASE_SSL and its files as pg's `ssl` option: `require` encrypts without checking the server's
 * certificate (libpq's sslmode=require), `verify-full` checks it against the CA (the system's, or
 * DATABASE_SSL_ROOT_CERT_PATH) and the host name; a CA or client certificate alone implies verify-full.
 */
function postgresTls(e: z.infer<typeof EnvSchema>, url: string): PostgresTls | { problems: string[] } {
  const files = {
    DATABASE_SSL_ROOT_CERT_PATH: e.DATABASE_SSL_ROOT_CERT_PATH,
    DATABASE_SSL_CERT_PATH: e.DATABASE_SSL_CERT_PATH,
    DATABASE_SSL_KEY_PATH: e.DATABASE_SSL_KEY_PATH,
  };
  const problems: string[] = [];
  const anyFile = Object.values(files).some(Boolean);
  if (!e.DATABASE_SSL && !anyFile) return undefined;
  // pg lets the URL's ssl parameters win over its ssl option: one place must say it.
  if (/[?&]ssl(mode|rootcert|cert|key)?=/.test(url))
    problems.push('DATABASE_SSL: set TLS either in DATABASE_URL (sslmode=...) or with DATABASE_SSL*, not both');
  if (e.DATABASE_SSL === 'disable') {
    if (anyFile) problems.push('DATABASE_SSL: disable, but DATABASE_SSL_*_PATH files are set');
    return problems.length ? { problems } : false;
  }
  if (Boolean(files.DATABASE_SSL_CERT_PATH) !== Boolean(files.DATABASE_SSL_KEY_PATH))
    problems.push('DATABASE_SSL_CERT_PATH/DATABASE_SSL_KEY_PATH: set both for a client certificate, or neither');
  if (e.DATABASE_SSL === 'require' && files.DATABASE_SSL_ROOT_CERT_PATH)
    problems.push('DATABASE_SSL_ROOT_CERT_PATH: only checked with DATABASE_SSL=verify-full, not require');
  const read = (name: keyof typeof files): string | undefined => {
    const file = files[name];
    if (!file) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      problems.push(`${name}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      return undefined;
    }
  };
  const tls = {
    rejectUnauthorized: e.DATABASE_SSL !== 'require',
    ca: read('DATABASE_SSL_ROOT_CERT_PATH'),
    cert: read('DATABASE_SSL_CERT_PATH'),
    key: read('DATABASE_SSL_KEY_PATH'),
  };
  if (problems.length) return { problems };
  return Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined));
}

/** The payload key file of a local stack's data dir (scripts/local-keys.ts writes it). */
export const localPayloadKeysFile = (dataDir: string): string => path.join(dataDir, 'payload-keys');

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  const renamed = Object.keys(RENAMED)
    .filter((old) => env[old])
    .map((old) => `${old}: renamed to ${RENAMED[old]}`);
  if (!parsed.success || renamed.length) {
    throw new ConfigError([
      ...(parsed.error?.issues ?? []).map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`),
      ...renamed,
    ]);
  }
  const e = parsed.data;
  const temporal = temporalProfile(env);
  const local = e.RETAILFLOW_STACK === 'local';
  const problems = [...(temporal.problems ?? [])];
  if (!local && !e.DATABASE_URL) problems.push('DATABASE_URL: required when RETAILFLOW_STACK=external');
  if (!local && !temporal.problems && !temporal.address)
    problems.push(
      'TEMPORAL_ADDRESS: required when RETAILFLOW_STACK=external (or a temporal.toml profile with an address)',
    );
  const payloadKeys = payloadKeySource(e, local);
  if ('problem' in payloadKeys) problems.push(payloadKeys.problem);
  const postgresUrl = e.DATABASE_URL ?? `postgres://retailflow@127.0.0.1:${e.POSTGRES_PORT}/retailflow`;
  const ssl = postgresTls(e, postgresUrl);
  if (ssl && 'problems' in ssl) problems.push(...ssl.problems);
  if (problems.length || temporal.problems || 'problem' in payloadKeys || (ssl && 'problems' in ssl))
    throw new ConfigError(problems);

  const loopback = '127.0.0.1';
  return {
    stack: {
      mode: e.RETAILFLOW_STACK,
      dataDir: path.resolve(e.RETAILFLOW_DATA_DIR),
      ports: {
        temporal: e.TEMPORAL_PORT,
        temporalUi: e.TEMPORAL_UI_PORT,
        postgres: e.POSTGRES_PORT,
        gcs: e.GCS_PORT,
        bigquery: e.BIGQUERY_PORT,
        bigqueryGrpc: e.BIGQUERY_GRPC_PORT,
        prometheus: e.PROMETHEUS_PORT,
      },
      managed: {
        temporal: local && !temporal.address,
        postgres: local && !e.DATABASE_URL,
        gcs: local && !e.GCS_ENDPOINT,
        bigquery: local && !e.BIGQUERY_ENDPOINT,
        prometheus: local && !e.PROMETHEUS_URL,
      },
    },
    logLevel: e.LOG_LEVEL,
    temporal: {
      address: temporal.address ?? `${loopback}:${e.TEMPORAL_PORT}`,
      namespace: temporal.namespace ?? 'default',
      connection: temporal.connection,
      uiUrl: e.TEMPORAL_UI_URL ?? `http://localhost:${e.TEMPORAL_UI_PORT}`,
      taskQueues: TASK_QUEUES,
      payloadKeys,
      ...(e.WORKFLOW_BUNDLE_PATH ? { workflowBundlePath: path.resolve(e.WORKFLOW_BUNDLE_PATH) } : {}),
    },
    postgres: {
      url: postgresUrl,
      poolMax: e.DATABASE_POOL_MAX,
      ...(ssl === undefined ? {} : { ssl }),
    },
    gcs: {
      endpoint: e.GCS_ENDPOINT ?? (local ? `http://${loopback}:${e.GCS_PORT}` : undefined),
      bucket: e.GCS_BUCKET,
      projectId: e.GCP_PROJECT,
    },
    bigquery: {
      endpoint: e.BIGQUERY_ENDPOINT ?? (local ? `http://${loopback}:${e.BIGQUERY_PORT}` : undefined),
      projectId: e.BIGQUERY_PROJECT ?? e.GCP_PROJECT,
      dataset: e.BIGQUERY_DATASET,
      location: e.BIGQUERY_LOCATION,
    },
    ingestTimeZone: e.INGEST_TIMEZONE,
    metrics: {
      host: e.METRICS_HOST,
      workerPort: e.WORKER_METRICS_PORT,
      prometheusUrl: e.PROMETHEUS_URL ?? `http://${loopback}:${e.PROMETHEUS_PORT}`,
    },
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      keys: e.API_KEYS,
      bodyLimitBytes: e.API_BODY_LIMIT_BYTES,
      retrainsPerMinute: e.API_RETRAINS_PER_MINUTE,
      readsNeedKey: e.API_READS_NEED_KEY,
    },
  };
}

let cached: Config | undefined;
/** The process's configuration, parsed on first use. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}

/** A connection string safe to print: the password replaced. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
