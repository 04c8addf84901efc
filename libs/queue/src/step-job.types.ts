import type { RetryPolicy } from '@app/workflow-core';

/** Payload of an ExecuteStep job; PostgreSQL holds everything else about the step. */
export interface StepJobData {
  stepExecutionId: string;
  /** For people reading the queue: the run and organization the step belongs to. */
  runId: string;
  organizationId: string;
  /** Times the job was put back because the database or network was down. */
  infrastructureDelays?: number;
}

export interface StepJob extends StepJobData {
  maxAttempts: number;
  backoff?: RetryPolicy['backoff'];
}

/** BullMQ job ids may not contain ':'; one step execution always maps to the same job. */
export function stepJobId(stepExecutionId: string): string {
  return `step-${stepExecutionId}`;
}
