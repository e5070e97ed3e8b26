// A tabular run's data in GCS: the source CSV read into rows by header, and the run's row sets
// (all rows after the spec's filters, its training and test parts) as JSON under tabular/<runId>/.
// Names are fixed per run, so a retried step overwrites what it wrote.
import { parse } from 'csv-parse/sync';
import { invalidInput } from '../contracts/failures.ts';
import type { RawRow } from '../ml/tabular/values.ts';
import type { ObjectStore } from './storage.ts';

export type TabularRowSet = 'rows' | 'train' | 'test';

export const tabularObject = (runId: string, name: TabularRowSet | 'model') => `tabular/${runId}/${name}.json`;

/** The object name of a gs:// URI in the store's bucket, or the name itself. */
function objectName(store: ObjectStore, uri: string): string {
  if (!uri.startsWith('gs://')) return uri;
  const prefix = `gs://${store.bucketName}/`;
  if (!uri.startsWith(prefix)) throw invalidInput('source.uri', `${uri} is not in the bucket ${store.bucketName}`);
  return uri.slice(prefix.length);
}

/** Every record of a CSV object, by its header's column names, values as strings. */
export async function csvRows(store: ObjectStore, uri: string): Promise<RawRow[]> {
  const name = objectName(store, uri);
  if (!(await store.exists(name))) throw invalidInput('source.uri', `${store.uri(name)} does not exist`);
  return parse<RawRow>(await store.read(name), { columns: true, skip_empty_lines: true, bom: true });
}

export async function writeRowSet(store: ObjectStore, runId: string, set: TabularRowSet, rows: readonly RawRow[]) {
  await store.write(tabularObject(runId, set), JSON.stringify(rows), 'application/json');
}

export async function readRowSet(store: ObjectStore, runId: string, set: TabularRowSet): Promise<RawRow[]> {
  return JSON.parse((await store.read(tabularObject(runId, set))).toString('utf8')) as RawRow[];
}
