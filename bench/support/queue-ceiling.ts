/**
 * The queue sections: a BullMQ worker with the engine's worker options, job options and
 * concurrency, draining a queue filled up front. With a no-op processor it is BullMQ's ceiling on
 * this machine; with the raw status-change transaction it is the naive reference, what a team gets
 * by wiring BullMQ to PostgreSQL with no engine in between.
 */
import { randomUUID } from 'node:crypto';
import { Job, Queue, Worker } from 'bullmq';
import { Pool } from 'pg';
import { JobName, redisOptionsFromUrl, STEP_WORKER_OPTIONS, StepJobData, stepJobOptions } from '@app/queue';
import { MAX_BENCH_CONNECTIONS } from './bench-options';
import { cpuBetween, CpuSnapshot, cpuSnapshot, CpuUsage } from './cpu-usage';
import { flip, statusChange } from './pg-ceiling';

export interface QueueCeiling {
  concurrency: number;
  jobs: number;
  warmUp: number;
  /** Completions timed: those after the warm-up. */
  timed: number;
  seconds: number;
  jobsPerSec: number;
  failed: number;
  /** Seconds spent filling the queue (not timed). */
  fillSeconds: number;
  /** Over the timed completions; the process is the bench's, where the worker runs. */
  cpu: CpuUsage;
}

interface Section {
  redisUrl: string;
  prefix: string;
  queueName: string;
  concurrency: number;
  warmUp: number;
  progress: (message: string) => void;
}

type Payload = StepJobData & Record<string, unknown>;

/** Fills the queue, then times a worker draining it from the warm-up-th completion to the last. */
async function drain(section: Section, payloads: Payload[], processor: (job: Job<Payload>) => Promise<unknown>): Promise<QueueCeiling> {
  const connection = redisOptionsFromUrl(section.redisUrl);
  const queue = new Queue<Payload>(section.queueName, { connection, prefix: section.prefix });
  const filling = performance.now();
  for (let i = 0; i < payloads.length; i += 1000) {
    // The engine's own job options: ids derived from a step execution, the same retention.
    await queue.addBulk(
      payloads.slice(i, i + 1000).map((data) => ({ name: JobName.ExecuteStep, data, opts: stepJobOptions({ ...data, maxAttempts: 1 }) })),
    );
  }
  const fillSeconds = (performance.now() - filling) / 1000;
  section.progress(`${section.queueName}: ${payloads.length} jobs queued in ${fillSeconds.toFixed(1)} s; draining at concurrency ${section.concurrency}`);
  const worker = new Worker<Payload>(section.queueName, processor, {
    connection,
    prefix: section.prefix,
    concurrency: section.concurrency,
    autorun: false,
    ...STEP_WORKER_OPTIONS,
  });
  let finished = 0;
  let failed = 0;
  let timedFrom = 0;
  let timedTo = 0;
  let cpuFrom: CpuSnapshot | undefined;
  let cpuTo: CpuSnapshot | undefined;
  const done = new Promise<void>((resolve) => {
    const onFinished = () => {
      finished++;
      if (finished === section.warmUp) {
        timedFrom = performance.now();
        cpuFrom = cpuSnapshot(process.pid);
      }
      if (finished === payloads.length) {
        timedTo = performance.now();
        cpuTo = cpuSnapshot(process.pid);
        resolve();
      }
    };
    worker.on('completed', onFinished);
    worker.on('failed', (job, error) => {
      failed++;
      if (failed <= 3) section.progress(`${section.queueName}: job ${job?.id} failed: ${error.message}`);
      onFinished();
    });
  });
  worker.on('error', (error) => section.progress(`${section.queueName}: worker error: ${error.message}`));
  void worker.run();
  const ticker = setInterval(() => section.progress(`${section.queueName}: ${finished}/${payloads.length} done`), 5000);
  try {
    await done;
  } finally {
    clearInterval(ticker);
    await worker.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
  const timed = payloads.length - section.warmUp;
  const seconds = (timedTo - timedFrom) / 1000;
  const cpu = cpuBetween(cpuFrom as CpuSnapshot, cpuTo as CpuSnapshot);
  return { concurrency: section.concurrency, jobs: payloads.length, warmUp: section.warmUp, timed, seconds, jobsPerSec: timed / seconds, failed, fillSeconds, cpu };
}

const stepPayload = (organizationId: string, extra: Record<string, unknown> = {}): Payload => ({
  stepExecutionId: randomUUID(),
  runId: randomUUID(),
  organizationId,
  ...extra,
});

export function measureNoop(section: Section, organizationId: string, jobs: number): Promise<QueueCeiling> {
  return drain(section, Array.from({ length: jobs }, () => stepPayload(organizationId)), async () => undefined);
}

/**
 * One status change per job. Job i changes case i mod n, so a case comes round again only n jobs
 * later, long after its previous change committed: from/to computed here stay true.
 */
export async function measureNaive(
  section: Section & { databaseUrl: string },
  organizationId: string,
  jobs: number,
  caseIds: string[],
  statuses: Map<string, string>,
): Promise<QueueCeiling> {
  const payloads: Payload[] = [];
  for (let i = 0; i < jobs; i++) {
    const caseId = caseIds[i % caseIds.length];
    const from = statuses.get(caseId) as string;
    statuses.set(caseId, flip(from));
    payloads.push(stepPayload(organizationId, { caseId, from, to: flip(from) }));
  }
  // One connection per job in flight, as a hand-written worker would size its pool (up to MAX_BENCH_CONNECTIONS).
  const pool = new Pool({ connectionString: section.databaseUrl, max: Math.min(section.concurrency, MAX_BENCH_CONNECTIONS), application_name: 'caseflow-bench-naive' });
  try {
    return await drain(section, payloads, async (job) => {
      const client = await pool.connect();
      try {
        await statusChange(client, organizationId, job.data.caseId as string, job.data.from as string, job.data.to as string);
      } finally {
        client.release();
      }
    });
  } finally {
    await pool.end();
  }
}
