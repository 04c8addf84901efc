import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CommittedWorkError, foldedTransaction } from '@app/persistence';
import { StepQueue } from '@app/queue';
import { QueueOutbox } from './queue-outbox';

const FLUSH_TIMEOUT_MS = 5000;

/**
 * Runs a unit of work in one PostgreSQL transaction and only then touches the queue, so a job never
 * names a step execution that does not exist. If the process dies between commit and enqueue, the
 * step executions stay `queued` in PostgreSQL, which is the record of pending work, not Redis.
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
    let result: T;
    try {
      result = await foldedTransaction(this.dataSource, (manager) => work(manager, outbox));
    } catch (error) {
      // Committed all the same: its steps are pending in PostgreSQL and belong on the queue.
      if (error instanceof CommittedWorkError) await this.flush(outbox);
      throw error;
    }
    await this.flush(outbox);
    return result;
  }

  private async flush(outbox: QueueOutbox): Promise<void> {
    if (outbox.toEnqueue.length === 0 && outbox.toRemove.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${FLUSH_TIMEOUT_MS} ms`)), FLUSH_TIMEOUT_MS);
    });
    try {
      // While Redis is away the client holds commands until it is back; the caller does not wait that long.
      await Promise.race([this.stepQueue.remove(outbox.toRemove).then(() => this.stepQueue.enqueue(outbox.toEnqueue)), timeout]);
    } catch (error) {
      // Committed work is not undone: the step executions stay queued in PostgreSQL, and the held
      // commands still reach Redis when it answers again (job ids make a second add harmless).
      this.logger.error(`Could not enqueue ${outbox.toEnqueue.length} step job(s) yet: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
