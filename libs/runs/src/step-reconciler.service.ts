import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { StepQueue } from '@app/queue';
import { WorkflowsService } from '@app/workflows';

export interface ReconcileReport {
  checked: number;
  requeued: number;
  /** True when another process was sweeping: this one did nothing. */
  skipped?: boolean;
}

/** One sweep at a time across every worker: two would check and re-add the same jobs twice over. */
const RECONCILE_LOCK = 'caseflow:reconcile-steps';

interface PendingStep {
  id: string;
  run_id: string;
  organization_id: string;
  max_attempts: number;
  state: string;
  step_index: number;
  workflow_version_id: string;
}

/**
 * PostgreSQL is the record of pending work; Redis only carries it. Step executions that PostgreSQL
 * says are queued or running but whose job Redis no longer holds (Redis emptied or restarted, a
 * crash between commit and enqueue, a job the queue gave up on) are enqueued again. Their job ids
 * are derived from the step execution, so this can never duplicate a job that still exists.
 */
@Injectable()
export class StepReconcilerService {
  private readonly logger = new Logger(StepReconcilerService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly stepQueue: StepQueue,
    private readonly workflows: WorkflowsService,
  ) {}

  /**
   * @param olderThanMs steps queued more recently are left alone: their job may still be on its
   *   way from the transaction that created them.
   */
  async reconcile(options: { olderThanMs?: number; batch?: number } = {}): Promise<ReconcileReport> {
    // Session-level advisory lock on a connection of our own; it goes with the session if we die.
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [RECONCILE_LOCK]);
      if (!locked) return { checked: 0, requeued: 0, skipped: true };
      try {
        return await this.sweep(options);
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [RECONCILE_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  private async sweep(options: { olderThanMs?: number; batch?: number }): Promise<ReconcileReport> {
    const { olderThanMs = 30_000, batch = 1000 } = options;
    const report: ReconcileReport = { checked: 0, requeued: 0 };
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const pending: PendingStep[] = await this.dataSource.query(
        `SELECT s.id, s.run_id, s.organization_id, s.max_attempts, s.state, s.step_index, r.workflow_version_id
           FROM step_executions s JOIN runs r ON r.id = s.run_id
          WHERE s.status IN ('queued', 'running') AND s.queued_at < clock_timestamp() - $1 * interval '1 millisecond' AND s.id > $2
          ORDER BY s.id LIMIT $3`,
        [olderThanMs, after, batch],
      );
      for (const step of pending) {
        report.checked++;
        const state = await this.stepQueue.jobState(step.id);
        if (state === 'pending' || state === 'active') continue;
        const version = await this.workflows.versionById(step.workflow_version_id);
        const backoff = version.definition.states[step.state]?.steps?.[step.step_index]?.retry?.backoff;
        await this.stepQueue.requeue({
          stepExecutionId: step.id,
          runId: step.run_id,
          organizationId: step.organization_id,
          maxAttempts: step.max_attempts,
          backoff,
        });
        report.requeued++;
      }
      if (pending.length < batch) break;
      after = pending[pending.length - 1].id;
    }
    if (report.requeued > 0) this.logger.warn(`Re-enqueued ${report.requeued} step job(s) that Redis had lost (${report.checked} pending checked)`);
    return report;
  }
}
