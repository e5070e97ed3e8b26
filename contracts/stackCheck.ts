// What a stackCheck takes and returns: shared by the workflow, its activities and the API.
export interface StackCheckResult {
  checkId: string;
  objectUri: string;
  /** Rows for this check found in each service; 1 everywhere means the round trip worked. */
  counts: { postgres: number; gcs: number; bigquery: number };
}

export const stackCheckWorkflowId = (stamp: string): string => `stack-check-${stamp}`;
