/**
 * The engine's throughput: runs of the ten-step workflow through the real API and one real worker
 * process, measured from PostgreSQL's own record (step_executions), not from anything the bench
 * process observes.
 */
import { Queue } from 'bullmq';
import { QueueName, redisOptionsFromUrl } from '@app/queue';
import type { ChaosDatabase } from '../../scripts/chaos/chaos-database';
import { ChaosClient, sleep } from '../../scripts/chaos/chaos-load';
import { BENCH_CASE_TYPE, BENCH_STATUS_SET, TEN_STEPS_KEY } from './bench-workflows';
import { cpuBetween, cpuSnapshot, CpuUsage } from './cpu-usage';

export interface CreatedRun {
  caseId: string;
  runId: string;
}

/** POST /v1/cases naming the workflow (which starts its run), `concurrency` requests at a time. */
export async function createRuns(client: ChaosClient, workflow: string, count: number, concurrency: number): Promise<CreatedRun[]> {
  return createInLanes(count, concurrency, async (seq) => {
    const body = (await client.request('POST', '/v1/cases', { type: BENCH_CASE_TYPE, workflow, data: { seq } })) as { id: string; runs: Array<{ id: string }> };
    return { caseId: body.id, runId: body.runs[0].id };
  });
}

/** Cases of the bench's status set with no run, for status updates; returns their ids. */
export async function createCases(client: ChaosClient, count: number, concurrency: number): Promise<string[]> {
  return createInLanes(count, concurrency, async (seq) => {
    const body = (await client.request('POST', '/v1/cases', { type: BENCH_CASE_TYPE, statusSet: BENCH_STATUS_SET, data: { seq } })) as { id: string };
    return body.id;
  });
}

/** Calls `create(0..count-1)` with `concurrency` calls in flight; the results come in completion order. */
async function createInLanes<T>(count: number, concurrency: number, create: (seq: number) => Promise<T>): Promise<T[]> {
  const created: T[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) created.push(await create(next++));
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return created;
}

/**
 * Waits until every run has ended; gives up when no step has finished for `stallMs`. Progress is
 * steps, not runs: the queue is FIFO, so with many runs in flight every run is at step k before
 * any reaches step k+1, and none ends until nearly all the work is done.
 */
export async function waitForRuns(db: ChaosDatabase, runIds: string[], progress: (message: string) => void, stallMs = 60_000): Promise<number> {
  let last = '';
  let changedAt = Date.now();
  let reportedAt = Date.now();
  for (;;) {
    const [row] = await db.query<{ ended: number; finished: number }>(
      `SELECT (SELECT count(*)::int FROM runs WHERE id = ANY($1::uuid[]) AND status IN ('completed', 'failed', 'cancelled')) AS ended,
              (SELECT count(*)::int FROM step_executions WHERE run_id = ANY($1::uuid[]) AND status NOT IN ('queued', 'running')) AS finished`,
      [runIds],
    );
    const now = `${row.ended}/${row.finished}`;
    if (now !== last) changedAt = Date.now();
    last = now;
    if (row.ended >= runIds.length || Date.now() - changedAt > stallMs) return row.ended;
    if (Date.now() - reportedAt > 5000) {
      progress(`engine: ${row.finished} steps finished, ${row.ended}/${runIds.length} runs ended`);
      reportedAt = Date.now();
    }
    // Gently: each poll is a connection and a count; the figure comes from timestamps, not from here.
    await sleep(500);
  }
}

export interface EngineResult {
  runs: number;
  warmUpRuns: number;
  stepsPerRun: number;
  /** Steps that succeeded, over the window from the first step's start to the last one's finish. */
  steps: number;
  seconds: number;
  stepsPerSec: number;
  /** Seconds the API took to create the measured runs while the queue was paused (not timed). */
  createSeconds: number;
  /** The worker process's CPU (as % of one core: Node runs JavaScript on one) and the machine's, while draining. */
  workerCpu: CpuUsage;
  verification: EngineVerification;
}

export interface EngineVerification {
  ok: boolean;
  runsByStatus: Record<string, number>;
  stepsByStatus: Record<string, number>;
  stepsExpected: number;
  auditEvents: number;
  auditEventsExpected: number;
  problems: string[];
}

/**
 * Warm-up runs first (the worker's JIT, pools and caches), then the measured runs are created
 * while the steps queue is paused, so the API's work does not share the CPU with the worker's;
 * the queue is resumed and the worker drains them alone.
 */
export async function measureEngine(options: {
  client: ChaosClient;
  db: ChaosDatabase;
  redisUrl: string;
  prefix: string;
  workerPid: number;
  warmUpRuns: number;
  runs: number;
  loadConcurrency: number;
  progress: (message: string) => void;
}): Promise<EngineResult> {
  const { client, db, progress } = options;
  const queue = new Queue(QueueName.Steps, { connection: redisOptionsFromUrl(options.redisUrl), prefix: options.prefix });
  try {
    progress(`engine: ${options.warmUpRuns} warm-up runs`);
    const warm = await createRuns(client, TEN_STEPS_KEY, options.warmUpRuns, options.loadConcurrency);
    const warmEnded = await waitForRuns(db, warm.map((run) => run.runId), progress);
    if (warmEnded < warm.length) throw new Error(`engine warm-up: only ${warmEnded} of ${warm.length} runs ended; see the worker's log`);

    await queue.pause();
    const creating = performance.now();
    const runs = await createRuns(client, TEN_STEPS_KEY, options.runs, options.loadConcurrency);
    const createSeconds = (performance.now() - creating) / 1000;
    progress(`engine: ${runs.length} runs created in ${createSeconds.toFixed(1)} s (queue paused); resuming the queue`);
    const cpuFrom = cpuSnapshot(options.workerPid);
    await queue.resume();
    const runIds = runs.map((run) => run.runId);
    await waitForRuns(db, runIds, progress);
    const workerCpu = cpuBetween(cpuFrom, cpuSnapshot(options.workerPid));

    const [window] = await db.query<{ succeeded: number; first_ms: number; last_ms: number }>(
      `SELECT count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
              extract(epoch FROM min(started_at)) * 1000 AS first_ms, extract(epoch FROM max(finished_at)) * 1000 AS last_ms
       FROM step_executions WHERE run_id = ANY($1::uuid[])`,
      [runIds],
    );
    const seconds = (Number(window.last_ms) - Number(window.first_ms)) / 1000;
    const verification = await verifyEngine(db, runs, 10);
    return {
      runs: runs.length,
      warmUpRuns: warm.length,
      stepsPerRun: 10,
      steps: window.succeeded,
      seconds,
      stepsPerSec: window.succeeded / seconds,
      createSeconds,
      workerCpu,
      verification,
    };
  } finally {
    await queue.close();
  }
}

/** Every run completed, every step succeeded exactly once, every status change audited once. */
async function verifyEngine(db: ChaosDatabase, runs: CreatedRun[], stepsPerRun: number): Promise<EngineVerification> {
  const runIds = runs.map((run) => run.runId);
  const byStatus = async (table: 'runs' | 'step_executions', column: 'id' | 'run_id') =>
    Object.fromEntries(
      (await db.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM ${table} WHERE ${column} = ANY($1::uuid[]) GROUP BY status`, [runIds])).map((row) => [
        row.status,
        row.n,
      ]),
    ) as Record<string, number>;
  const runsByStatus = await byStatus('runs', 'id');
  const stepsByStatus = await byStatus('step_executions', 'run_id');
  const [audit] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM case_events WHERE case_id = ANY($1::uuid[]) AND type = 'status_changed' AND source = 'workflow'`,
    [runs.map((run) => run.caseId)],
  );
  const stepsExpected = runs.length * stepsPerRun;
  const problems: string[] = [];
  if ((runsByStatus.completed ?? 0) !== runs.length) problems.push(`${runs.length - (runsByStatus.completed ?? 0)} of ${runs.length} runs did not complete: ${JSON.stringify(runsByStatus)}`);
  const stepCount = Object.values(stepsByStatus).reduce((a, b) => a + b, 0);
  if ((stepsByStatus.succeeded ?? 0) !== stepsExpected || stepCount !== stepsExpected) {
    problems.push(`expected ${stepsExpected} succeeded step executions, found ${JSON.stringify(stepsByStatus)}`);
  }
  if (audit.n !== stepsExpected) problems.push(`expected ${stepsExpected} status_changed audit events, found ${audit.n}`);
  return { ok: problems.length === 0, runsByStatus, stepsByStatus, stepsExpected, auditEvents: audit.n, auditEventsExpected: stepsExpected, problems };
}
