import type { StepJob } from '@app/queue';

/** Work for Redis that must wait until PostgreSQL has committed the step executions it names. */
export class QueueOutbox {
  readonly toEnqueue: StepJob[] = [];
  readonly toRemove: string[] = [];
}
