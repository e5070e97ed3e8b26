// Registers the workflows' custom search attributes (contracts/searchAttributes.ts) in the
// namespace, through the operator service: what a real cluster needs before a workflow can set
// them (the local dev server gets them by flag). Idempotent: only missing ones are added.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../contracts/searchAttributes.ts';

const { IndexedValueType } = proto.temporal.api.enums.v1;

const INDEXED_TYPE = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
} as const;

/** gRPC ALREADY_EXISTS: another process added them first. */
const ALREADY_EXISTS = 6;

/** Adds the attributes the namespace lacks; returns their names. A name registered with another type is an error naming both. */
export async function ensureSearchAttributes(client: Client, namespace: string): Promise<string[]> {
  const operator = client.connection.operatorService;
  const { customAttributes } = await operator.listSearchAttributes({ namespace });
  const missing: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {};
  for (const key of SEARCH_ATTRIBUTES) {
    const wanted = INDEXED_TYPE[key.type];
    const found = customAttributes[key.name];
    if (found === undefined) missing[key.name] = wanted;
    else if (found !== wanted)
      throw new Error(
        `search attribute ${key.name} is registered as ${IndexedValueType[found]}; retailflow needs ${IndexedValueType[wanted]}`,
      );
  }
  if (!Object.keys(missing).length) return [];
  try {
    await operator.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (err) {
    if ((err as { code?: unknown }).code !== ALREADY_EXISTS) throw err;
  }
  return Object.keys(missing);
}

/**
 * The search attribute a start was refused for because the namespace has not registered it, if that
 * is what `err` says (Temporal answers INVALID_ARGUMENT "... has no mapping defined for search attribute X").
 */
export function missingSearchAttribute(err: unknown): string | undefined {
  return /has no mapping defined for search attribute (\w+)/.exec((err as Error | undefined)?.message ?? '')?.[1];
}
