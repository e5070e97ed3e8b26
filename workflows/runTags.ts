// Sets a run's search attributes (contracts/searchAttributes.ts): what it is when it starts, its
// stage as it advances. Behind one patch, so histories recorded without them replay unchanged.
import { patched, upsertSearchAttributes } from '@temporalio/workflow';
import {
  runSearchAttributes,
  SEARCH_ATTRIBUTES_PATCH,
  STAGE_ATTRIBUTE,
  type RunTags,
} from '../contracts/searchAttributes.ts';

export function tagRun(tags: RunTags): void {
  if (patched(SEARCH_ATTRIBUTES_PATCH)) upsertSearchAttributes(runSearchAttributes(tags));
}

export function tagStage(stage: string): void {
  if (patched(SEARCH_ATTRIBUTES_PATCH)) upsertSearchAttributes([{ key: STAGE_ATTRIBUTE, value: stage }]);
}
