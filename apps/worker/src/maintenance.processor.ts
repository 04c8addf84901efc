import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { JobName, QueueName } from '@app/queue';
import { ReconcileReport, StepReconcilerService } from '@app/runs';

/** Every so often, and once at start, steps that PostgreSQL holds pending but Redis lost are enqueued again. */
export const RECONCILE_EVERY_MS = 30_000;

/** Thin shell over the maintenance use-cases; one schedule whatever the number of workers. */
@Processor(QueueName.Maintenance)
export class MaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(
    private readonly reconciler: StepReconcilerService,
    @InjectQueue(QueueName.Maintenance) private readonly maintenance: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.maintenance.upsertJobScheduler('reconcile-steps', { every: RECONCILE_EVERY_MS }, { name: JobName.Reconcile, opts: { removeOnComplete: 100, removeOnFail: 100 } });
    // Not awaited: a large backlog must not hold up the worker's start.
    this.reconciler.reconcile({ olderThanMs: 5000 }).catch((error: Error) => this.logger.error(`Start-up reconcile failed: ${error.message}`));
  }

  async process(job: Job): Promise<ReconcileReport> {
    if (job.name !== JobName.Reconcile) throw new Error(`No handler for job "${job.name}" on queue "${QueueName.Maintenance}".`);
    return this.reconciler.reconcile();
  }
}
