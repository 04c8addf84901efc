import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { jsonbLiteral, SqlScript, uuidArrayLiteral } from '@app/persistence';
import type { PersistedRunSnapshot, StepError } from '@app/workflow-core';
import type { RunEntity, RunStatusValue } from './run.entity';
import type { StepExecutionEntity, StepExecutionStatus } from './step-execution.entity';
import type { HistoryRow, NewStepRow, TransitionPlan } from './transition-plan';

/** A step execution still to do, locked together with its run. */
export type LockedStep = Pick<StepExecutionEntity, 'id' | 'organizationId' | 'runId' | 'state' | 'stepIndex' | 'stepId' | 'action' | 'status' | 'attempts' | 'maxAttempts'> & {
  run: Pick<RunEntity, 'id' | 'organizationId' | 'caseId' | 'workflowVersionId' | 'workflowKey' | 'workflowVersion' | 'status' | 'state' | 'snapshot' | 'currentStepExecutionId'>;
  /** When the batch took the lock, on PostgreSQL's clock (as text, to the microsecond): the attempt's start. */
  lockedAt: string;
};

/** What a batch writes to one step execution. */
export interface StepUpdate {
  id: string;
  /** running: an attempt started or failed and will be retried; the others end the step. */
  status: 'running' | 'succeeded' | 'failed' | 'skipped';
  /** The queue's attempt number; the stored count never goes down. */
  attempts: number;
  /** When this attempt started (LockedStep.lockedAt); a step that started before keeps its first start. */
  startedAt: string;
  output?: unknown;
  error?: StepError | null;
}

interface LockedRow {
  id: string;
  organization_id: string;
  run_id: string;
  state: string;
  step_index: number;
  step_id: string;
  action: string;
  status: StepExecutionStatus;
  attempts: number;
  max_attempts: number;
  case_id: string;
  workflow_version_id: string;
  workflow_key: string;
  workflow_version: number;
  run_status: RunStatusValue;
  run_state: string;
  snapshot: PersistedRunSnapshot;
  current_step_execution_id: string | null;
  locked_at: string;
}

/**
 * The statements of the batches of steps, and the writes of every transition (of a batch of
 * steps or of events, a start, a retry). Each takes the rows of a whole batch at once, as JSON
 * that PostgreSQL turns into rows, and the writes go in one script: one round trip however many
 * steps or events. Plain SQL, not the ORM: every step and event takes this path, and few
 * statements per batch is what makes group commit pay.
 */
@Injectable()
export class StepBatchRepository {
  /**
   * Locks the unfinished step executions among `ids` and their runs, runs in id order (as every
   * batch does, so two batches never wait on each other in a circle). Finished, skipped or
   * unknown ids are simply absent: a redelivered job finds nothing to do. The ids are inlined
   * (see uuidArrayLiteral): this statement runs once per batch, and each message costs a write;
   * as a constant array they are looked up by primary key, not among every pending step.
   * "Unfinished" is written as none of the three ends a step has (the table's CHECK lists five
   * statuses): `status IN ('queued', 'running')` is the predicate of the partial index of pending
   * steps, and with it PostgreSQL often read that whole index beside the primary key. Between
   * vacuums it holds an entry for every step queued or run since, so that cost grew with the load.
   */
  async lockSteps(manager: EntityManager, ids: string[]): Promise<LockedStep[]> {
    const rows: LockedRow[] = await manager.query(
      `SELECT s.id, s.organization_id, s.run_id, s.state, s.step_index, s.step_id, s.action, s.status, s.attempts, s.max_attempts,
              r.case_id, r.workflow_version_id, r.workflow_key, r.workflow_version, r.status AS run_status, r.state AS run_state,
              r.snapshot, r.current_step_execution_id, clock_timestamp()::text AS locked_at
       FROM step_executions s
       JOIN runs r ON r.id = s.run_id AND r.organization_id = s.organization_id
       WHERE s.id = ANY(${uuidArrayLiteral(ids)}) AND s.status NOT IN ('succeeded', 'failed', 'skipped')
       ORDER BY r.id, s.id
       FOR UPDATE OF r, s`,
    );
    return rows.map((row) => ({
      id: row.id,
      organizationId: row.organization_id,
      runId: row.run_id,
      state: row.state,
      stepIndex: row.step_index,
      stepId: row.step_id,
      action: row.action,
      status: row.status,
      attempts: row.attempts,
      maxAttempts: row.max_attempts,
      run: {
        id: row.run_id,
        organizationId: row.organization_id,
        caseId: row.case_id,
        workflowVersionId: row.workflow_version_id,
        workflowKey: row.workflow_key,
        workflowVersion: row.workflow_version,
        status: row.run_status,
        state: row.run_state,
        snapshot: row.snapshot,
        currentStepExecutionId: row.current_step_execution_id,
      },
      lockedAt: row.locked_at,
    }));
  }

  /**
   * Writes a batch's decisions, after `before` (its effects' writes): the steps' new states,
   * interrupted steps skipped, `history` (events refused, which move no run), states entered, steps
   * scheduled, runs moved on. The writes are deferred: in a folded transaction they travel with
   * the next statement, at the latest the COMMIT. Returns the interrupted steps that were skipped
   * (their jobs are to be removed from the queue).
   */
  async write(
    manager: EntityManager,
    batch: { updates?: StepUpdate[]; plans: TransitionPlan[]; history?: HistoryRow[] },
    before = new SqlScript(),
  ): Promise<{ removedStepIds: string[] }> {
    const { updates = [], plans, history = [] } = batch;
    const interrupted = plans.map((plan) => plan.interruptedStepId).filter((id): id is string => id !== null);
    let removedStepIds: string[] = [];
    if (interrupted.length > 0) {
      // Only events interrupt steps: they need the answer back, to take the skipped steps' jobs off the queue.
      const skipped: Array<{ id: string }> = await manager.query(
        `UPDATE step_executions SET status = 'skipped', finished_at = clock_timestamp() WHERE id = ANY(${uuidArrayLiteral(interrupted)}) AND status = 'queued' RETURNING id`,
      );
      removedStepIds = skipped.map((row) => row.id);
    }
    await before
      .add(updateStepsStatement(updates))
      .add(insertHistoryStatement([...history, ...plans.flatMap((plan) => plan.history)]))
      .add(insertStepsStatement(plans.flatMap((plan) => plan.steps)))
      .add(updateRunsStatement(plans))
      .defer(manager);
    return { removedStepIds };
  }
}

function updateStepsStatement(updates: StepUpdate[]): string | null {
  if (updates.length === 0) return null;
  const rows = updates.map((u) => ({ id: u.id, status: u.status, attempts: u.attempts, started_at: u.startedAt, output: u.output ?? null, error: u.error ?? null }));
  return `UPDATE step_executions s SET
      status = u.status,
      attempts = GREATEST(s.attempts, u.attempts),
      output = CASE WHEN u.status = 'succeeded' THEN u.output ELSE s.output END,
      error = CASE u.status WHEN 'succeeded' THEN NULL WHEN 'skipped' THEN s.error ELSE COALESCE(u.error, s.error) END,
      started_at = CASE WHEN u.status = 'skipped' THEN s.started_at ELSE COALESCE(s.started_at, u.started_at) END,
      finished_at = CASE WHEN u.status = 'running' THEN NULL ELSE clock_timestamp() END
    FROM jsonb_to_recordset(${jsonbLiteral(rows)}) AS u(id uuid, status text, attempts integer, started_at timestamptz, output jsonb, error jsonb)
    WHERE s.id = u.id AND s.id = ANY(${uuidArrayLiteral(rows.map((row) => row.id))})`;
}

function insertHistoryStatement(rows: HistoryRow[]): string | null {
  if (rows.length === 0) return null;
  const values = rows.map((row) => ({ run_id: row.runId, kind: row.kind, name: row.name, accepted: row.accepted, payload: row.payload }));
  return `INSERT INTO run_history (run_id, kind, name, accepted, payload)
    SELECT u.run_id, u.kind, u.name, u.accepted, u.payload
    FROM ROWS FROM (jsonb_to_recordset(${jsonbLiteral(values)}) AS (run_id uuid, kind text, name text, accepted boolean, payload jsonb))
      WITH ORDINALITY AS u(run_id, kind, name, accepted, payload, n)
    ORDER BY u.n`;
}

function insertStepsStatement(rows: NewStepRow[]): string | null {
  if (rows.length === 0) return null;
  const values = rows.map((row) => ({
    id: row.id,
    organization_id: row.organizationId,
    run_id: row.runId,
    state: row.state,
    step_index: row.stepIndex,
    step_id: row.stepId,
    action: row.action,
    max_attempts: row.maxAttempts,
    continue_on_error: row.continueOnError,
  }));
  return `INSERT INTO step_executions (id, organization_id, run_id, state, step_index, step_id, action, status, attempts, max_attempts, continue_on_error)
    SELECT u.id, u.organization_id, u.run_id, u.state, u.step_index, u.step_id, u.action, 'queued', 0, u.max_attempts, u.continue_on_error
    FROM ROWS FROM (jsonb_to_recordset(${jsonbLiteral(values)}) AS (id uuid, organization_id uuid, run_id uuid, state text, step_index integer, step_id text, action text, max_attempts integer, continue_on_error boolean))
      WITH ORDINALITY AS u(id, organization_id, run_id, state, step_index, step_id, action, max_attempts, continue_on_error, n)
    ORDER BY u.n`;
}

function updateRunsStatement(plans: TransitionPlan[]): string | null {
  if (plans.length === 0) return null;
  const values = plans.map((plan) => ({
    id: plan.runId,
    snapshot: plan.changes.snapshot,
    state: plan.changes.state,
    status: plan.changes.status,
    error: plan.changes.error,
    current_step_execution_id: plan.changes.currentStepExecutionId,
    ended: plan.changes.ended,
  }));
  return `UPDATE runs r SET
      snapshot = u.snapshot, state = u.state, status = u.status, error = u.error,
      current_step_execution_id = u.current_step_execution_id,
      ended_at = CASE WHEN u.ended THEN now() ELSE NULL END,
      updated_at = now()
    FROM jsonb_to_recordset(${jsonbLiteral(values)}) AS u(id uuid, snapshot jsonb, state text, status text, error jsonb, current_step_execution_id uuid, ended boolean)
    WHERE r.id = u.id AND r.id = ANY(${uuidArrayLiteral(values.map((row) => row.id))})`;
}
