import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { CaseflowConfig, isInfrastructureError, stepAttemptDuration, stepAttempts } from '@app/common';
import { JobName, QueueName, STEP_WORKER_OPTIONS, StepJobData } from '@app/queue';
import { RetryableStepError, StepExecutorService, StepOutcome } from '@app/runs';

/** How long a step waits when the database or network is down, growing with each such delay. */
const INFRASTRUCTURE_DELAY_MS = { base: 1000, max: 30_000 };

/** Thin shell: reads the job and hands the attempt to the step executor. */
@Processor(QueueName.Steps, STEP_WORKER_OPTIONS)
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

  async process(job: Job<StepJobData>, token?: string): Promise<StepOutcome> {
    if (job.name !== JobName.ExecuteStep) throw new Error(`No handler for job "${job.name}" on queue "${QueueName.Steps}".`);
    const stopTimer = stepAttemptDuration.startTimer();
    let outcome: StepOutcome | 'retry' | 'delayed' | 'error' = 'error';
    try {
      outcome = await this.executor.execute({
        stepExecutionId: job.data.stepExecutionId,
        attempt: job.attemptsMade + 1,
        maxAttempts: job.opts.attempts ?? 1,
      });
      return outcome;
    } catch (error) {
      // The step's own failure, already recorded: it uses up an attempt, whatever its message says
      // (an action's "connection closed" is the provider's, not the platform's).
      if (error instanceof RetryableStepError) {
        outcome = 'retry';
        throw error;
      }
      if (!isInfrastructureError(error) || !token) throw error;
      // The platform failed, not the step: come back later without using up one of its attempts.
      const delays = Number(job.data.infrastructureDelays ?? 0);
      const delay = Math.min(INFRASTRUCTURE_DELAY_MS.base * 2 ** delays, INFRASTRUCTURE_DELAY_MS.max);
      this.logger.warn(`Step ${job.data.stepExecutionId} delayed ${delay} ms: ${(error as Error).message}`);
      await job.updateData({ ...job.data, infrastructureDelays: delays + 1 });
      await job.moveToDelayed(Date.now() + delay, token);
      outcome = 'delayed';
      throw new DelayedError();
    } finally {
      stepAttempts.inc({ outcome });
      stopTimer();
    }
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.error(`Worker error: ${error.message}`);
  }
}
