import type { RetryPolicy } from '@app/workflow-core';

/** Payload of an ExecuteStep job; PostgreSQL holds everything else about the step. */
export interface StepJobData {
  stepExecutionId: string;
  runId: string;
  organizationId: string;
}

export interface StepJob extends StepJobData {
  maxAttempts: number;
  backoff?: RetryPolicy['backoff'];
}

/** BullMQ job ids may not contain ':'; one step execution always maps to the same job. */
export function stepJobId(stepExecutionId: string): string {
  return `step-${stepExecutionId}`;
}
