import type { JobsOptions, WorkerOptions } from 'bullmq';
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

/**
 * Step workers: a job whose worker died (its lock not renewed for lockDuration) goes back to
 * waiting; a job that stalls more than maxStalledCount times is failed by BullMQ, and the
 * reconciler enqueues its step again. Steps are short, and external calls time out well inside
 * the lock, so 30 s locks only matter for crashed workers.
 */
export const STEP_WORKER_OPTIONS = {
  lockDuration: 30_000,
  stalledInterval: 15_000,
  maxStalledCount: 3,
} satisfies Partial<WorkerOptions>;
