import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isUuid, NotFoundError } from '@app/common';
import { uuidArrayLiteral } from '@app/persistence';
import type { TransitionResult } from '@app/workflow-core';
import { RunHistoryEntity } from './run-history.entity';
import { planTransition } from './transition-plan';
import type { QueueOutbox } from './queue-outbox';
import { RunEntity } from './run.entity';
import { StepExecutionEntity } from './step-execution.entity';

/** A run's columns under their property names: a raw row is then a RunEntity as it is. */
const RUN_COLUMNS = `r.id, r.organization_id AS "organizationId", r.case_id AS "caseId", r.workflow_version_id AS "workflowVersionId",
  r.workflow_key AS "workflowKey", r.workflow_version AS "workflowVersion", r.status, r.state, r.snapshot, r.error,
  r.current_step_execution_id AS "currentStepExecutionId", r.created_at AS "createdAt", r.updated_at AS "updatedAt", r.ended_at AS "endedAt"`;

/**
 * A transition in one statement: skip the step an event interrupted (if it has not started), add
 * the event and the states entered to the timeline (in that order: ids and clock_timestamp()
 * follow the order of the rows), queue the steps to schedule (ids made by the caller, in order,
 * so the run can name its current step here), and store the run's new position.
 */
const APPLY_TRANSITION = `
  WITH skipped AS (
    UPDATE step_executions SET status = 'skipped', finished_at = clock_timestamp()
    WHERE id = $2::uuid AND status = 'queued'
    RETURNING id
  ), timeline AS (
    INSERT INTO run_history (run_id, kind, name, accepted, payload)
    SELECT $1::uuid, h.kind, h.name, h.accepted, h.payload
    FROM ROWS FROM (jsonb_to_recordset($3::jsonb) AS (kind text, name text, accepted boolean, payload jsonb))
      WITH ORDINALITY AS h(kind, name, accepted, payload, n)
    ORDER BY h.n
  ), scheduled AS (
    INSERT INTO step_executions (id, organization_id, run_id, state, step_index, step_id, action, status, attempts, max_attempts, continue_on_error)
    SELECT s.id, $4::uuid, $1::uuid, s.state, s.step_index, s.step_id, s.action, 'queued', 0, s.max_attempts, s.continue_on_error
    FROM ROWS FROM (jsonb_to_recordset($5::jsonb)
        AS (id uuid, state text, step_index integer, step_id text, action text, max_attempts integer, continue_on_error boolean))
      WITH ORDINALITY AS s(id, state, step_index, step_id, action, max_attempts, continue_on_error, n)
    ORDER BY s.n
  )
  UPDATE runs
  SET snapshot = $6::jsonb, state = $7, status = $8, error = $9::jsonb, current_step_execution_id = $10::uuid, ended_at = $11::timestamptz,
    updated_at = CURRENT_TIMESTAMP
  WHERE id = $1::uuid
  RETURNING updated_at AS "updatedAt", (SELECT count(*)::int FROM skipped) AS skipped`;

/** The timeline of a run as JSON, in the order the API shows it. */
const STEPS_JSON = `(
  SELECT coalesce(json_agg(json_build_object(
    'id', s.id, 'organizationId', s.organization_id, 'runId', s.run_id, 'state', s.state, 'stepIndex', s.step_index, 'stepId', s.step_id,
    'action', s.action, 'status', s.status, 'attempts', s.attempts, 'maxAttempts', s.max_attempts, 'continueOnError', s.continue_on_error,
    'output', s.output, 'error', s.error, 'queuedAt', s.queued_at, 'startedAt', s.started_at, 'finishedAt', s.finished_at
  ) ORDER BY s.queued_at, s.id), '[]') FROM step_executions s WHERE s.run_id = r.id)`;
const HISTORY_JSON = `(
  SELECT coalesce(json_agg(json_build_object(
    'id', h.id::text, 'runId', h.run_id, 'kind', h.kind, 'name', h.name, 'accepted', h.accepted, 'payload', h.payload, 'at', h.at
  ) ORDER BY h.id), '[]') FROM run_history h WHERE h.run_id = r.id)`;

export interface RunTimeline {
  steps: StepExecutionEntity[];
  history: RunHistoryEntity[];
}

/**
 * The only code that reads and writes runs, their history and step executions. The paths every
 * event and every step takes are plain SQL through the caller's EntityManager: one statement per
 * round trip, rows mapped by column aliases rather than hydrated entity by entity.
 */
@Injectable()
export class RunRepository {
  /** Loads a run of the organization and holds its row lock until commit: one run advances in one place at a time. */
  async lock(manager: EntityManager, organizationId: string, runId: string): Promise<RunEntity> {
    return this.load(manager, organizationId, runId, true);
  }

  async find(manager: EntityManager, organizationId: string, runId: string): Promise<RunEntity> {
    return this.load(manager, organizationId, runId, false);
  }

  /** A run with its whole timeline, read in one statement, so all three agree with each other. */
  async findWithTimeline(manager: EntityManager, organizationId: string, runId: string): Promise<RunTimeline & { run: RunEntity }> {
    if (!isUuid(runId)) throw new NotFoundError('Run', runId);
    const rows: TimelineRow[] = await manager.query(
      `SELECT ${RUN_COLUMNS}, ${STEPS_JSON} AS steps, ${HISTORY_JSON} AS history FROM runs r WHERE r.id = $1 AND r.organization_id = $2`,
      [runId, organizationId],
    );
    if (rows.length === 0) throw new NotFoundError('Run', runId);
    return fromTimelineRow(rows[0]);
  }

  /**
   * Runs with their timelines by id, for an event batch's answers. The ids come from runs the
   * caller has already found in their organizations. A plain statement with its ids inlined, so
   * the batch's deferred writes travel with it and it reads them.
   */
  async findManyWithTimeline(manager: EntityManager, runIds: string[]): Promise<Map<string, RunTimeline & { run: RunEntity }>> {
    if (runIds.length === 0) return new Map();
    const rows: TimelineRow[] = await manager.query(
      `SELECT ${RUN_COLUMNS}, ${STEPS_JSON} AS steps, ${HISTORY_JSON} AS history FROM runs r WHERE r.id = ANY(${uuidArrayLiteral(runIds)})`,
    );
    return new Map(rows.map((row) => [row.id, fromTimelineRow(row)]));
  }

  /**
   * Locks runs by id, in id order as step batches lock theirs, so two batches never wait on each
   * other in a circle. Runs of other organizations than `organizationIds` are not read; the caller
   * matches each run to its own caller's organization. Unknown ids are absent.
   */
  async lockMany(manager: EntityManager, runIds: string[], organizationIds: string[]): Promise<RunEntity[]> {
    const rows: RunEntity[] = await manager.query(
      `SELECT ${RUN_COLUMNS} FROM runs r WHERE r.id = ANY(${uuidArrayLiteral(runIds)}) AND r.organization_id = ANY(${uuidArrayLiteral(organizationIds)})
       ORDER BY r.id FOR UPDATE`,
    );
    return rows.map((row) => Object.assign(new RunEntity(), row));
  }

  private async load(manager: EntityManager, organizationId: string, runId: string, lock: boolean): Promise<RunEntity> {
    if (!isUuid(runId)) throw new NotFoundError('Run', runId);
    const rows: RunEntity[] = await manager.query(
      lock
        ? `SELECT ${RUN_COLUMNS} FROM runs r WHERE r.id = $1 AND r.organization_id = $2 FOR UPDATE`
        : `SELECT ${RUN_COLUMNS} FROM runs r WHERE r.id = $1 AND r.organization_id = $2`,
      [runId, organizationId],
    );
    if (rows.length === 0) throw new NotFoundError('Run', runId);
    return Object.assign(new RunEntity(), rows[0]);
  }

  /** Records an event in the run's timeline; an accepted one is better recorded by applyTransition. */
  async recordEvent(manager: EntityManager, runId: string, type: string, accepted: boolean, payload: Record<string, unknown>): Promise<void> {
    await manager.query(`INSERT INTO run_history (run_id, kind, name, accepted, payload) VALUES ($1, 'event', $2, $3, $4)`, [runId, type, accepted, JSON.stringify(payload)]);
  }

  /**
   * Stores a transition: the new snapshot and state, the states entered, and one queued step
   * execution per step to schedule (handed to the outbox for enqueueing after commit). When an
   * event interrupted the step the run waited on, that step is skipped if it has not started (if
   * it has, it finds itself stale when it finishes or retries). `event`, the accepted event that
   * made the transition, is recorded first in the same statement (as recordEvent would).
   */
  async applyTransition(
    manager: EntityManager,
    run: RunEntity,
    result: TransitionResult,
    outbox: QueueOutbox,
    event?: { type: string; payload: Record<string, unknown> },
  ): Promise<RunEntity> {
    const plan = planTransition(run, result);
    const { ended, ...position } = plan.changes;
    const changes: Partial<RunEntity> = { ...position, endedAt: ended ? new Date() : null };
    const [[stored]]: [Array<{ updatedAt: Date; skipped: number }>, number] = await manager.query(APPLY_TRANSITION, [
      run.id,
      plan.interruptedStepId,
      JSON.stringify([...(event ? [{ kind: 'event', name: event.type, accepted: true, payload: event.payload }] : []), ...plan.history]),
      run.organizationId,
      JSON.stringify(
        plan.steps.map(({ id, state, stepIndex, stepId, action, maxAttempts, continueOnError }) => ({
          id,
          state,
          step_index: stepIndex,
          step_id: stepId,
          action,
          max_attempts: maxAttempts,
          continue_on_error: continueOnError,
        })),
      ),
      JSON.stringify(changes.snapshot),
      changes.state,
      changes.status,
      changes.error === null ? null : JSON.stringify(changes.error),
      changes.currentStepExecutionId,
      changes.endedAt,
    ]);
    if (plan.interruptedStepId && stored.skipped > 0) outbox.toRemove.push(plan.interruptedStepId);
    outbox.toEnqueue.push(...plan.jobs);
    return Object.assign(run, changes, { updatedAt: stored.updatedAt });
  }

  async timeline(manager: EntityManager, runId: string): Promise<RunTimeline> {
    const [row]: Array<{ steps: StepJson[]; history: HistoryJson[] }> = await manager.query(`SELECT ${STEPS_JSON} AS steps, ${HISTORY_JSON} AS history FROM (SELECT $1::uuid AS id) r`, [runId]);
    return { steps: row.steps.map(stepFromJson), history: row.history.map(historyFromJson) };
  }

  async listForCases(manager: EntityManager, organizationId: string, caseIds: string[]): Promise<RunEntity[]> {
    if (caseIds.length === 0) return [];
    const rows: RunEntity[] = await manager.query(
      `SELECT ${RUN_COLUMNS} FROM runs r WHERE r.organization_id = $1 AND r.case_id = ANY($2::uuid[]) ORDER BY r.created_at`,
      [organizationId, caseIds],
    );
    return rows.map((row) => Object.assign(new RunEntity(), row));
  }
}

/** json_build_object gives timestamps as ISO text: back to Dates, as the pg driver gives them. */
type StepJson = Omit<StepExecutionEntity, 'queuedAt' | 'startedAt' | 'finishedAt'> & { queuedAt: string; startedAt: string | null; finishedAt: string | null };
type HistoryJson = Omit<RunHistoryEntity, 'at'> & { at: string };
type TimelineRow = RunEntity & { steps: StepJson[]; history: HistoryJson[] };

function fromTimelineRow({ steps, history, ...run }: TimelineRow): RunTimeline & { run: RunEntity } {
  return { run: Object.assign(new RunEntity(), run), steps: steps.map(stepFromJson), history: history.map(historyFromJson) };
}

const toDate = (value: string | null) => (value === null ? null : new Date(value));

function stepFromJson(step: StepJson): StepExecutionEntity {
  return Object.assign(new StepExecutionEntity(), step, { queuedAt: new Date(step.queuedAt), startedAt: toDate(step.startedAt), finishedAt: toDate(step.finishedAt) });
}

function historyFromJson(entry: HistoryJson): RunHistoryEntity {
  return Object.assign(new RunHistoryEntity(), entry, { at: new Date(entry.at) });
}
