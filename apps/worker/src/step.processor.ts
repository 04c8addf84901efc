import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { CaseflowConfig } from '@app/common';
import { JobName, QueueName, StepJobData } from '@app/queue';
import { StepExecutorService, StepOutcome } from '@app/runs';

/** Thin shell: reads the job and hands the attempt to the step executor. */
@Processor(QueueName.Steps)
export class StepProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(StepProcessor.name);

  constructor(
    private readonly executor: StepExecutorService,
    private readonly config: CaseflowConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.WORKER_CONCURRENCY;
  }

  async process(job: Job<StepJobData>): Promise<StepOutcome> {
    if (job.name !== JobName.ExecuteStep) throw new Error(`No handler for job "${job.name}" on queue "${QueueName.Steps}".`);
    return this.executor.execute({
      stepExecutionId: job.data.stepExecutionId,
      organizationId: job.data.organizationId,
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
    });
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.error(`Worker error: ${error.message}`);
  }
}
