import type { StepJob } from './step-job.types';

/** The port the runtime enqueues step executions through; BullmqStepQueue is its adapter. */
export abstract class StepQueue {
  /** Adds jobs; a job whose id is already queued is not added twice. */
  abstract enqueue(jobs: StepJob[]): Promise<void>;
  /** Best effort: a job already running cannot be removed, and finds its step skipped instead. */
  abstract remove(stepExecutionIds: string[]): Promise<void>;
  /** Where the step's job is: waiting or delayed, running, done (completed or failed), or gone. */
  abstract jobState(stepExecutionId: string): Promise<StepJobState>;
  /** Adds the job again, replacing a done one with the same id. */
  abstract requeue(job: StepJob): Promise<void>;
}

export type StepJobState = 'pending' | 'active' | 'done' | 'missing';
