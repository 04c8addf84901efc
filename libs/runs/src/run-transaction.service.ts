import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { StepJob, StepQueue } from '@app/queue';

/** Work for Redis that must wait until PostgreSQL has committed the step executions it names. */
export class QueueOutbox {
  readonly toEnqueue: StepJob[] = [];
  readonly toRemove: string[] = [];
}

/**
 * Runs a unit of work in one PostgreSQL transaction and only then touches the queue, so a job never
 * names a step execution that does not exist. If the process dies between commit and enqueue, the
 * step executions stay `queued` in PostgreSQL for the reconciler to enqueue again.
 */
@Injectable()
export class RunTransaction {
  private readonly logger = new Logger(RunTransaction.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly stepQueue: StepQueue,
  ) {}

  async run<T>(work: (manager: EntityManager, outbox: QueueOutbox) => Promise<T>): Promise<T> {
    const outbox = new QueueOutbox();
    const result = await this.dataSource.transaction((manager) => work(manager, outbox));
    await this.flush(outbox);
    return result;
  }

  private async flush(outbox: QueueOutbox): Promise<void> {
    try {
      await this.stepQueue.remove(outbox.toRemove);
      await this.stepQueue.enqueue(outbox.toEnqueue);
    } catch (error) {
      // Committed work is not undone: the step executions are in PostgreSQL, queued, and the
      // reconciler re-enqueues them once Redis answers again.
      this.logger.error(`Could not enqueue ${outbox.toEnqueue.length} step job(s): ${(error as Error).message}`);
    }
  }
}
