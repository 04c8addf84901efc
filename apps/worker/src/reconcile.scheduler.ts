import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CaseflowConfig } from '@app/common';
import { StepReconcilerService } from '@app/runs';

/**
 * Runs the reconciler at start and then on a timer in the process. Not a BullMQ schedule on
 * purpose: a schedule lives in Redis, and an emptied Redis is exactly what the sweep must survive.
 * Workers sweep in turn, never at once (the reconciler takes a PostgreSQL advisory lock).
 */
@Injectable()
export class ReconcileScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReconcileScheduler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly reconciler: StepReconcilerService,
    private readonly config: CaseflowConfig,
  ) {}

  onApplicationBootstrap(): void {
    // At start, also steps only a few seconds old: the process that queued them may have died.
    this.sweep(5000);
    const every = this.config.CASEFLOW_RECONCILE_INTERVAL_MS;
    // Steps must be older than one interval: younger ones may still be on their way to Redis.
    this.timer = setInterval(() => this.sweep(Math.min(every, 30_000)), every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private sweep(olderThanMs?: number): void {
    if (this.running) return;
    this.running = this.reconciler
      .reconcile(olderThanMs === undefined ? {} : { olderThanMs })
      .catch((error: Error) => this.logger.error(`Reconcile failed: ${error.message}`))
      .finally(() => (this.running = undefined));
  }
}
