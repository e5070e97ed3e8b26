// Temporal connections for clients (API, scripts) and workers, from one configuration.
import path from 'node:path';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from './config.ts';
import { causes } from './outage.ts';
import { encryptingDataConverter, loadPayloadKeys } from './payloadCodec.ts';

type TemporalConfig = Config['temporal'];

// gRPC's reconnect backoff grows to 2 minutes by default: after an outage a client would keep
// failing for up to that long although the server is back. Capped at a few seconds.
const RECONNECT_CHANNEL_ARGS = { 'grpc.initial_reconnect_backoff_ms': 500, 'grpc.max_reconnect_backoff_ms': 3_000 };

export function temporalConnectionOptions(cfg: TemporalConfig): ConnectionOptions {
  return { address: cfg.address, ...cfg.connection, connectTimeout: '5s', channelArgs: RECONNECT_CHANNEL_ARGS };
}

// gRPC status codes: 14 UNAVAILABLE (no connection), 4 DEADLINE_EXCEEDED (no answer in time).
const UNAVAILABLE_STATUSES = new Set([4, 14]);

/** Whether an error means the Temporal server could not be reached or did not answer in time. */
export function isTemporalUnavailable(err: unknown): boolean {
  for (const e of causes(err)) {
    const { code, metadata } = e as { code?: unknown; metadata?: unknown };
    // gRPC errors carry metadata; Node's own errors have string codes.
    if (typeof code === 'number' && metadata !== undefined && UNAVAILABLE_STATUSES.has(code)) return true;
  }
  return false;
}

/**
 * Why a run failed, as its API and CLIs show it: the innermost cause's message (WorkflowFailedError ->
 * ActivityFailure -> ApplicationFailure), not "Workflow execution failed". The SDK's rootCause stops at
 * the client's WorkflowFailedError, which is no TemporalFailure.
 */
export function failureReason(err: unknown): string {
  const messages = [...causes(err)].map((e) => (e instanceof Error ? e.message : String(e))).filter(Boolean);
  return messages.at(-1) ?? String(err);
}

/**
 * Runs `fn` with a deadline on every Temporal call it makes (the connection keeps it in async
 * context): no caller waits longer than this on a server that does not answer.
 */
export function withTemporalDeadline<T>(client: Client, ms: number, fn: () => Promise<T>): Promise<T> {
  return client.connection.withDeadline(Date.now() + ms, fn);
}

/** The failure converter's module (failureConverter.ts): the SDK loads it by path, in Node and in the workflow bundle. */
export const FAILURE_CONVERTER_PATH = path.resolve(import.meta.dirname, 'failureConverter.ts');

/**
 * How payloads and failures cross to Temporal: payloads encrypted with the configured keys, failure
 * messages and stack traces too (moved into the encrypted attributes). Every client and worker takes it from here.
 */
export const temporalDataConverter = (cfg: TemporalConfig): DataConverter => ({
  ...encryptingDataConverter(loadPayloadKeys(cfg.payloadKeys)),
  failureConverterPath: FAILURE_CONVERTER_PATH,
});

/** A client of the configured namespace on this connection, with the data converter. */
export const temporalClient = (cfg: TemporalConfig, connection: Connection): Client =>
  new Client({ connection, namespace: cfg.namespace, dataConverter: temporalDataConverter(cfg) });

export async function connectClient(cfg: TemporalConfig): Promise<Client> {
  return temporalClient(cfg, await Connection.connect(temporalConnectionOptions(cfg)));
}

export async function connectWorker(cfg: TemporalConfig): Promise<NativeConnection> {
  return NativeConnection.connect({ address: cfg.address, ...cfg.connection });
}

/** What to link to in the Temporal Web UI: the namespace's workflow list, one workflow (a run's history when `runId` is given), or a schedule. */
export type TemporalUiTarget = { workflows: true } | { workflowId: string; runId?: string } | { scheduleId: string };

/** The one builder of Temporal Web UI links. */
export function temporalUiUrl(cfg: TemporalConfig, target: TemporalUiTarget): string {
  const namespace = `${cfg.uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(cfg.namespace)}`;
  if ('scheduleId' in target) return `${namespace}/schedules/${encodeURIComponent(target.scheduleId)}`;
  if (!('workflowId' in target)) return `${namespace}/workflows`;
  const workflow = `${namespace}/workflows/${encodeURIComponent(target.workflowId)}`;
  return target.runId ? `${workflow}/${encodeURIComponent(target.runId)}/history` : workflow;
}

/** Link to a workflow execution in the Temporal Web UI. */
export const workflowUrl = (cfg: TemporalConfig, workflowId: string, runId?: string): string =>
  temporalUiUrl(cfg, { workflowId, runId });

/** The API's remote codec endpoint (api/routes/codec.ts), as the Temporal UI in the browser reaches it. */
export function codecEndpoint(cfg: Pick<Config, 'api'>): string {
  const host = ['0.0.0.0', '::'].includes(cfg.api.host) ? '127.0.0.1' : cfg.api.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${cfg.api.port}/codec`;
}
