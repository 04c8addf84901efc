import type { JobsOptions } from 'bullmq';
import type { StepJob } from './step-job.types';
import { stepJobId } from './step-job.types';

/** Finished jobs are kept a while for inspection, then trimmed: PostgreSQL is the record. */
const RETENTION = {
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 50_000 },
} satisfies JobsOptions;

export function stepJobOptions(job: StepJob): JobsOptions {
  return {
    jobId: stepJobId(job.stepExecutionId),
    attempts: Math.max(1, job.maxAttempts),
    ...(job.backoff ? { backoff: { type: job.backoff.type, delay: job.backoff.delayMs } } : {}),
    ...RETENTION,
  };
}
