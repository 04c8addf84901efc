import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { isUuid, NotFoundError } from '@app/common';
import type { ScheduledStep, TransitionResult } from '@app/workflow-core';
import { RunHistoryEntity } from './run-history.entity';
import type { QueueOutbox } from './queue-outbox';
import { RunEntity } from './run.entity';
import { StepExecutionEntity } from './step-execution.entity';

/** The only code that reads and writes runs, their history and step executions. */
@Injectable()
export class RunRepository {
  /** Loads a run of the organization and holds its row lock until commit: one run advances in one place at a time. */
  async lock(manager: EntityManager, organizationId: string, runId: string): Promise<RunEntity> {
    if (!isUuid(runId)) throw new NotFoundError('Run', runId);
    const run = await manager.findOne(RunEntity, { where: { id: runId, organizationId }, lock: { mode: 'pessimistic_write' } });
    if (!run) throw new NotFoundError('Run', runId);
    return run;
  }

  async find(manager: EntityManager, organizationId: string, runId: string): Promise<RunEntity> {
    if (!isUuid(runId)) throw new NotFoundError('Run', runId);
    const run = await manager.findOne(RunEntity, { where: { id: runId, organizationId } });
    if (!run) throw new NotFoundError('Run', runId);
    return run;
  }

  async recordEvent(manager: EntityManager, runId: string, type: string, accepted: boolean, payload: Record<string, unknown>): Promise<void> {
    await manager.insert(RunHistoryEntity, { runId, kind: 'event', name: type, accepted, payload: payload as QueryDeepPartialEntity<unknown> });
  }

  /**
   * Stores a transition: the new snapshot and state, the states entered, and one queued step
   * execution per step to schedule (handed to the outbox for enqueueing after commit). When an
   * event interrupted the step the run waited on, that step is skipped if it has not started (if
   * it has, it finds itself stale when it finishes or retries).
   */
  async applyTransition(manager: EntityManager, run: RunEntity, result: TransitionResult, outbox: QueueOutbox): Promise<RunEntity> {
    if (result.interruptedStep && run.currentStepExecutionId) {
      const skipped = await manager.update(
        StepExecutionEntity,
        { id: run.currentStepExecutionId, status: 'queued' },
        { status: 'skipped', finishedAt: () => 'clock_timestamp()' },
      );
      if (skipped.affected) outbox.toRemove.push(run.currentStepExecutionId);
    }
    if (result.statesEntered.length > 0) {
      await manager.insert(
        RunHistoryEntity,
        result.statesEntered.map((name) => ({ runId: run.id, kind: 'state' as const, name, accepted: null, payload: null })),
      );
    }
    const created = await this.insertSteps(manager, run, result.stepsToSchedule);
    for (const step of created) {
      outbox.toEnqueue.push({
        stepExecutionId: step.row.id,
        runId: run.id,
        organizationId: run.organizationId,
        maxAttempts: step.row.maxAttempts,
        backoff: step.scheduled.retry.backoff,
      });
    }
    const ended = result.status === 'completed';
    const changes: Partial<RunEntity> = {
      snapshot: result.snapshot,
      state: result.state,
      status: result.status,
      error: result.failure ? { ...result.failure.error, stepId: result.failure.stepId } : null,
      currentStepExecutionId: created.length > 0 ? created[created.length - 1].row.id : result.status === 'failed' ? run.currentStepExecutionId : null,
      endedAt: ended ? new Date() : null,
    };
    // jsonb columns hold open-ended JSON that TypeORM's deep-partial type cannot describe.
    await manager.update(RunEntity, { id: run.id }, changes as QueryDeepPartialEntity<RunEntity>);
    return Object.assign(run, changes);
  }

  private async insertSteps(manager: EntityManager, run: RunEntity, steps: ScheduledStep[]) {
    const created: Array<{ row: StepExecutionEntity; scheduled: ScheduledStep }> = [];
    for (const scheduled of steps) {
      const row = await manager.save(
        StepExecutionEntity,
        manager.create(StepExecutionEntity, {
          organizationId: run.organizationId,
          runId: run.id,
          state: scheduled.state,
          stepIndex: scheduled.stepIndex,
          stepId: scheduled.stepId,
          action: scheduled.action,
          status: 'queued',
          attempts: 0,
          maxAttempts: scheduled.retry.maxAttempts,
          continueOnError: scheduled.continueOnError,
          output: null,
          error: null,
        }),
      );
      created.push({ row, scheduled });
    }
    return created;
  }

  /**
   * Marks an attempt as started. Returns null when the step execution is finished or skipped: a
   * redelivered job then does nothing. A `running` step is claimed again on purpose: that is how a
   * job whose worker died is picked up; concurrent claims are sorted out under the run's lock when
   * the step finishes. `attempts` counts the queue's attempts, not deliveries.
   */
  async claimStep(manager: EntityManager, stepExecutionId: string, attempt: number): Promise<StepExecutionEntity | null> {
    const claimed = await manager
      .createQueryBuilder()
      .update(StepExecutionEntity)
      .set({ status: 'running', attempts: () => 'GREATEST(attempts, :attempt)', startedAt: () => 'COALESCE(started_at, clock_timestamp())' })
      .where("id = :id AND status IN ('queued', 'running')", { id: stepExecutionId })
      .setParameter('attempt', attempt)
      .returning('*')
      .execute();
    const [row] = claimed.raw as Array<Record<string, unknown>>;
    if (!row) return null;
    // The claimed row comes back with the UPDATE: mapped from column to property names, no re-read.
    const metadata = manager.connection.getMetadata(StepExecutionEntity);
    return manager.create(StepExecutionEntity, Object.fromEntries(metadata.columns.map((column) => [column.propertyName, row[column.databaseName]])));
  }

  /** Re-reads a step under lock inside the finishing transaction; null if someone else finished it. */
  async lockRunningStep(manager: EntityManager, stepExecutionId: string): Promise<StepExecutionEntity | null> {
    return manager.findOne(StepExecutionEntity, {
      where: { id: stepExecutionId, status: 'running' },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async finishStep(
    manager: EntityManager,
    stepExecutionId: string,
    outcome: { status: 'succeeded'; output: unknown } | { status: 'failed'; error: { code: string; message: string } },
  ): Promise<void> {
    await manager.update(
      StepExecutionEntity,
      { id: stepExecutionId },
      outcome.status === 'succeeded'
        ? { status: 'succeeded', output: (outcome.output ?? null) as QueryDeepPartialEntity<unknown>, error: null, finishedAt: () => 'clock_timestamp()' }
        : { status: 'failed', error: outcome.error, finishedAt: () => 'clock_timestamp()' },
    );
  }

  /** The run left the step's state before the step could run: it never will. */
  async skipStep(manager: EntityManager, stepExecutionId: string): Promise<void> {
    await manager.update(StepExecutionEntity, { id: stepExecutionId, status: In(['queued', 'running']) }, { status: 'skipped', finishedAt: () => 'clock_timestamp()' });
  }

  async recordAttemptError(manager: EntityManager, stepExecutionId: string, error: { code: string; message: string }): Promise<void> {
    await manager.update(StepExecutionEntity, { id: stepExecutionId }, { error });
  }

  async timeline(manager: EntityManager, runId: string) {
    const [steps, history] = await Promise.all([
      manager.find(StepExecutionEntity, { where: { runId }, order: { queuedAt: 'ASC', id: 'ASC' } }),
      manager.find(RunHistoryEntity, { where: { runId }, order: { id: 'ASC' } }),
    ]);
    return { steps, history };
  }

  async listForCases(manager: EntityManager, organizationId: string, caseIds: string[]): Promise<RunEntity[]> {
    if (caseIds.length === 0) return [];
    return manager.find(RunEntity, { where: { organizationId, caseId: In(caseIds) }, order: { createdAt: 'ASC' } });
  }
}
