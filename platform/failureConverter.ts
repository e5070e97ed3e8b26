// Failure messages and stack traces can name stores, files and SQL: with common attributes encoded
// they travel inside the failure's encoded attributes, a payload the codec encrypts, instead of in
// the failure's plain fields. Loaded by path (DataConverter.failureConverterPath), so the workflow
// bundle converts a workflow's own failures the same way as the workers and clients do.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
