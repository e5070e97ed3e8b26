// Files a request names by gs:// URI must be objects of the project bucket that exist: checked
// before a workflow starts on them, so a mistake is a 400 naming the field, not a failed run.
import { objectOfUri } from '../contracts/imports.ts';
import type { ObjectStore } from '../platform/storage.ts';
import { ApiError } from './errors.ts';

export async function checkBucketObject(store: ObjectStore, field: string, uri: string): Promise<void> {
  const r = objectOfUri(uri, store.bucketName);
  if ('problem' in r) throw new ApiError(400, 'invalid_request', `${field}: ${r.problem}`, field);
  if (!(await store.exists(r.object)))
    throw new ApiError(400, 'invalid_request', `${field}: object ${uri} does not exist`, field);
}
