import { randomUUID } from 'node:crypto';
import type { StepJob } from '@app/queue';
import type { TransitionResult } from '@app/workflow-core';
import type { RunEntity } from './run.entity';
import type { StepExecutionEntity } from './step-execution.entity';

/** The fields of a run a transition reads. */
export type RunPosition = Pick<RunEntity, 'id' | 'organizationId' | 'currentStepExecutionId'>;

export type NewStepRow = Pick<StepExecutionEntity, 'id' | 'organizationId' | 'runId' | 'state' | 'stepIndex' | 'stepId' | 'action' | 'maxAttempts' | 'continueOnError'>;

export interface HistoryRow {
  runId: string;
  kind: 'state' | 'event';
  name: string;
  accepted: boolean | null;
  payload: unknown;
}

export type RunChanges = Pick<RunEntity, 'snapshot' | 'state' | 'status' | 'error' | 'currentStepExecutionId'> & { ended: boolean };

/** Everything a transition writes, decided before any of it is written. */
export interface TransitionPlan {
  runId: string;
  changes: RunChanges;
  history: HistoryRow[];
  steps: NewStepRow[];
  jobs: StepJob[];
  /** The step the run waited on, which an event interrupted: skipped if it has not started. */
  interruptedStepId: string | null;
}

/**
 * Turns an accepted transition into rows: the states entered for the timeline, one queued step
 * execution (with its job) per step to schedule, and the run's new snapshot and position. Step
 * ids are made here, so the run can name its current step in the same statement that stores it.
 */
export function planTransition(run: RunPosition, result: TransitionResult): TransitionPlan {
  const steps: NewStepRow[] = result.stepsToSchedule.map((scheduled) => ({
    id: randomUUID(),
    organizationId: run.organizationId,
    runId: run.id,
    state: scheduled.state,
    stepIndex: scheduled.stepIndex,
    stepId: scheduled.stepId,
    action: scheduled.action,
    maxAttempts: scheduled.retry.maxAttempts,
    continueOnError: scheduled.continueOnError,
  }));
  const jobs = result.stepsToSchedule.map((scheduled, i) => ({
    stepExecutionId: steps[i].id,
    runId: run.id,
    organizationId: run.organizationId,
    maxAttempts: scheduled.retry.maxAttempts,
    backoff: scheduled.retry.backoff,
  }));
  const current = steps.length > 0 ? steps[steps.length - 1].id : result.status === 'failed' ? run.currentStepExecutionId : null;
  return {
    runId: run.id,
    changes: {
      snapshot: result.snapshot,
      state: result.state,
      status: result.status,
      error: result.failure ? { ...result.failure.error, stepId: result.failure.stepId } : null,
      currentStepExecutionId: current,
      ended: result.status === 'completed',
    },
    history: result.statesEntered.map((name) => ({ runId: run.id, kind: 'state', name, accepted: null, payload: null })),
    steps,
    jobs,
    interruptedStepId: result.interruptedStep && run.currentStepExecutionId ? run.currentStepExecutionId : null,
  };
}
