import type { RunHistoryEntity } from './run-history.entity';
import type { RunEntity } from './run.entity';
import type { StepExecutionEntity } from './step-execution.entity';

/** A run as the API returns it (SPEC §6): its timeline of states, steps and events. */
export interface RunView {
  id: string;
  caseId: string;
  workflow: string;
  version: number;
  status: RunEntity['status'];
  state: string;
  context: unknown;
  error: RunEntity['error'];
  states: Array<{ state: string; at: Date }>;
  steps: Array<{
    id: string;
    stepId: string;
    state: string;
    action: string;
    status: StepExecutionEntity['status'];
    attempts: number;
    maxAttempts: number;
    output: unknown;
    error: StepExecutionEntity['error'];
    queuedAt: Date;
    startedAt: Date | null;
    finishedAt: Date | null;
    durationMs: number | null;
  }>;
  events: Array<{ type: string; at: Date; accepted: boolean }>;
  createdAt: Date;
  updatedAt: Date;
  endedAt: Date | null;
}

export function toRunView(run: RunEntity, steps: StepExecutionEntity[], history: RunHistoryEntity[]): RunView {
  return {
    id: run.id,
    caseId: run.caseId,
    workflow: run.workflowKey,
    version: run.workflowVersion,
    status: run.status,
    state: run.state,
    context: run.snapshot.context,
    error: run.error,
    states: history.filter((entry) => entry.kind === 'state').map((entry) => ({ state: entry.name, at: entry.at })),
    steps: steps.map((step) => ({
      id: step.id,
      stepId: step.stepId,
      state: step.state,
      action: step.action,
      status: step.status,
      attempts: step.attempts,
      maxAttempts: step.maxAttempts,
      output: step.output,
      error: step.error,
      queuedAt: step.queuedAt,
      startedAt: step.startedAt,
      finishedAt: step.finishedAt,
      durationMs: step.startedAt && step.finishedAt ? step.finishedAt.getTime() - step.startedAt.getTime() : null,
    })),
    events: history
      .filter((entry) => entry.kind === 'event')
      .map((entry) => ({ type: entry.name, at: entry.at, accepted: entry.accepted === true })),
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    endedAt: run.endedAt,
  };
}
