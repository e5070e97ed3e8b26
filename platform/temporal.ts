// Temporal connections for clients (API, scripts) and workers, from one configuration.
import { readFile } from 'node:fs/promises';
import { Client, Connection, type ConnectionOptions, type TLSConfig } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from './config.ts';

type TemporalConfig = Config['temporal'];

async function tlsOptions(cfg: TemporalConfig): Promise<TLSConfig | boolean> {
  if (typeof cfg.tls === 'boolean') return cfg.tls;
  const [crt, key] = await Promise.all([readFile(cfg.tls.certPath), readFile(cfg.tls.keyPath)]);
  return { clientCertPair: { crt, key } };
}

export async function temporalConnectionOptions(cfg: TemporalConfig): Promise<ConnectionOptions> {
  return { address: cfg.address, tls: await tlsOptions(cfg), apiKey: cfg.apiKey, connectTimeout: '5s' };
}

export async function connectClient(cfg: TemporalConfig): Promise<Client> {
  const connection = await Connection.connect(await temporalConnectionOptions(cfg));
  return new Client({ connection, namespace: cfg.namespace });
}

export async function connectWorker(cfg: TemporalConfig): Promise<NativeConnection> {
  return NativeConnection.connect({ address: cfg.address, tls: await tlsOptions(cfg), apiKey: cfg.apiKey });
}

/** Link to a workflow execution in the Temporal Web UI. */
export function workflowUrl(cfg: TemporalConfig, workflowId: string, runId?: string): string {
  const base = `${cfg.uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(cfg.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
}
