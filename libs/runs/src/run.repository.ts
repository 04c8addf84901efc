import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isUuid, NotFoundError } from '@app/common';
import { queryAndCommit, uuidArrayLiteral } from '@app/persistence';
import { RunHistoryEntity } from './run-history.entity';
import { RunEntity } from './run.entity';
import { StepExecutionEntity } from './step-execution.entity';

/** A run's columns under their property names: a raw row is then a RunEntity as it is. */
const RUN_COLUMNS = `r.id, r.organization_id AS "organizationId", r.case_id AS "caseId", r.workflow_version_id AS "workflowVersionId",
  r.workflow_key AS "workflowKey", r.workflow_version AS "workflowVersion", r.status, r.state, r.snapshot, r.error,
  r.current_step_execution_id AS "currentStepExecutionId", r.created_at AS "createdAt", r.updated_at AS "updatedAt", r.ended_at AS "endedAt"`;

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

/** Runs with their whole timelines, read in one statement so all three agree with each other. */
const RUNS_WITH_TIMELINE = `SELECT ${RUN_COLUMNS}, ${STEPS_JSON} AS steps, ${HISTORY_JSON} AS history FROM runs r`;

export interface RunTimeline {
  steps: StepExecutionEntity[];
  history: RunHistoryEntity[];
}

/**
 * Reads and locks runs, with their history and step executions. Their writes are the batch
 * statements of StepBatchRepository, which every transition takes. The paths every event takes
 * are plain SQL through the caller's EntityManager, rows mapped by column aliases rather than
 * hydrated entity by entity.
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
      `${RUNS_WITH_TIMELINE} WHERE r.id = $1 AND r.organization_id = $2`,
      [runId, organizationId],
    );
    if (rows.length === 0) throw new NotFoundError('Run', runId);
    return fromTimelineRow(rows[0]);
  }

  /**
   * Runs with their timelines by id, for an event batch's answers. The ids come from runs the
   * caller has already found in their organizations. A plain statement with its ids inlined, so
   * the batch's deferred writes travel with it and it reads them. With `andCommit` it is the
   * transaction's last statement and carries its COMMIT (see queryAndCommit).
   */
  async findManyWithTimeline(manager: EntityManager, runIds: string[], options: { andCommit?: boolean } = {}): Promise<Map<string, RunTimeline & { run: RunEntity }>> {
    if (runIds.length === 0) return new Map();
    const sql = `${RUNS_WITH_TIMELINE} WHERE r.id = ANY(${uuidArrayLiteral(runIds)})`;
    const rows: TimelineRow[] = options.andCommit ? await queryAndCommit(manager, sql) : await manager.query(sql);
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
