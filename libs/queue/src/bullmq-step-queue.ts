import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { stepJobOptions } from './job-options';
import { JobName, QueueName } from './queue-names';
import { StepJob, stepJobId } from './step-job.types';
import { StepJobState, StepQueue } from './step-queue';

@Injectable()
export class BullmqStepQueue extends StepQueue {
  private readonly logger = new Logger(BullmqStepQueue.name);

  constructor(@InjectQueue(QueueName.Steps) private readonly queue: Queue) {
    super();
    // Without a listener BullMQ prints each failed reconnect as a bare stack trace on stderr; the
    // connection retries on its own (every 20 s at most), so one log line each is enough.
    queue.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
  }

  async enqueue(jobs: StepJob[]): Promise<void> {
    const entries = jobs.map((job) => ({
      name: JobName.ExecuteStep,
      data: { stepExecutionId: job.stepExecutionId, runId: job.runId, organizationId: job.organizationId },
      opts: stepJobOptions(job),
    }));
    // addBulk builds a pipeline, loading every BullMQ script into it: worth it for a batch's jobs,
    // not for the one job an API event usually schedules.
    if (entries.length === 1) await this.queue.add(entries[0].name, entries[0].data, entries[0].opts);
    else if (entries.length > 1) await this.queue.addBulk(entries);
  }

  async remove(stepExecutionIds: string[]): Promise<void> {
    await Promise.all(stepExecutionIds.map((id) => this.queue.remove(stepJobId(id)).catch(() => 0)));
  }

  async jobState(stepExecutionId: string): Promise<StepJobState> {
    const state = await this.queue.getJobState(stepJobId(stepExecutionId));
    if (state === 'unknown') return 'missing';
    if (state === 'active') return 'active';
    return state === 'completed' || state === 'failed' ? 'done' : 'pending';
  }

  async requeue(job: StepJob): Promise<void> {
    // A job id that is still kept as completed or failed would make the add a no-op.
    await this.queue.remove(stepJobId(job.stepExecutionId)).catch(() => 0);
    await this.enqueue([job]);
  }
}
