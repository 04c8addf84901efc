import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { Client, DatabaseError } from 'pg';
import { QueryRunnerAlreadyReleasedError } from 'typeorm';
import { QueueName } from '@app/queue';
import { isInfrastructureError } from '@app/common';
import { ApiClient } from '../support/api-client';
import { deleteRedisKeys } from '../support/test-environment';

/** The workers here sweep every 3 s instead of 30 s, so that a test waits for a pass, not for minutes. */
const RECONCILE_EVERY_MS = 3000;
import { startTestApp, TestApp } from '../support/test-app';
import { killAllWorkers, spawnWorker, WorkerProcess } from '../support/worker-process';

/**
 * The small version of `npm run chaos` (SPEC §4, crash safety): a real worker process killed with
 * SIGKILL in the middle of steps, Redis emptied, a new worker started; every run completes and
 * every step's effect (its status change in the audit trail) happens exactly once. The API runs in
 * this process (no worker in it), the workers as child processes, on one database and prefix.
 */
const STATUSES = ['crash_new', 'crash_intake', 'crash_screening', 'crash_checks', 'crash_review', 'crash_cleared'];
const EXPECTED_TRAIL = STATUSES.slice(1).map((to, index) => `${STATUSES[index]}->${to}`);
const STEP_IDS = ['intake', 'screening', 'checks', 'review', 'clear'];
const step = (id: string, status: string) => ({ id, action: 'case.updateStatus', params: { status, reason: `step ${id}` } });
const WORKFLOW = {
  key: 'crash-walk',
  name: 'Crash walk',
  caseType: 'crash',
  statusSet: 'crash',
  initial: 'intake',
  states: {
    intake: { steps: [step('intake', 'crash_intake'), step('screening', 'crash_screening')], next: 'checks' },
    checks: { steps: [step('checks', 'crash_checks'), step('review', 'crash_review')], next: 'decision' },
    decision: { type: 'final', steps: [step('clear', 'crash_cleared')] },
  },
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('crash recovery: worker killed mid-step, Redis emptied (PostgreSQL + Redis + worker processes)', () => {
  let testApp: TestApp;
  let pipeline: ApiClient;
  let db: Client;
  let locker: Client | undefined;
  const workers: WorkerProcess[] = [];

  const sql = async <T extends object>(text: string, params: unknown[] = []): Promise<T[]> => (await db.query(text, params)).rows as T[];
  const createRuns = async (count: number) => {
    const created = await Promise.all(Array.from({ length: count }, () => pipeline.post('/v1/cases', { type: 'crash', workflow: WORKFLOW.key })));
    for (const response of created) expect(response.status).toBe(201);
    return created.map((response) => ({ caseId: response.body.id as string, runId: response.body.runs[0].id as string }));
  };
  const startWorker = async () => {
    const worker = spawnWorker(testApp.resources, { WORKER_CONCURRENCY: '10', CASEFLOW_RECONCILE_INTERVAL_MS: String(RECONCILE_EVERY_MS) });
    workers.push(worker);
    await worker.started;
    return worker;
  };
  /** Polls PostgreSQL until these runs have all completed; fails with what is pending otherwise. */
  const waitForCompletion = async (runIds: string[], timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [{ open }] = await sql<{ open: number }>(`SELECT count(*)::int AS open FROM runs WHERE id = ANY($1) AND status <> 'completed'`, [runIds]);
      if (open === 0) return;
      if (Date.now() > deadline) {
        const pending = await sql(
          `SELECT r.id AS run, r.status, r.state, s.step_id, s.status AS step_status, s.attempts, s.queued_at
             FROM runs r LEFT JOIN step_executions s ON s.id = r.current_step_execution_id
            WHERE r.id = ANY($1) AND r.status <> 'completed' LIMIT 10`,
          [runIds],
        );
        const output = workers.map((worker, index) => `worker ${index + 1}:\n${worker.output.slice(-15).join('\n')}`).join('\n');
        throw new Error(`${open} run(s) not completed after ${timeoutMs} ms, e.g.\n${JSON.stringify(pending, null, 2)}\n${output}`);
      }
      await sleep(200);
    }
  };
  /** Each run completed once, with each step's status change exactly once and in order. */
  const expectExactlyOnce = async (runs: Array<{ caseId: string; runId: string }>) => {
    const trails = await sql<{ case_id: string; trail: string[] }>(
      `SELECT case_id, array_agg(from_value || '->' || to_value ORDER BY id) AS trail
         FROM case_events WHERE type = 'status_changed' AND case_id = ANY($1) GROUP BY case_id`,
      [runs.map((run) => run.caseId)],
    );
    const byCase = new Map(trails.map((row) => [row.case_id, row.trail]));
    expect(runs.map((run) => ({ caseId: run.caseId, trail: byCase.get(run.caseId) ?? [] }))).toEqual(runs.map((run) => ({ caseId: run.caseId, trail: EXPECTED_TRAIL })));
    const steps = await sql<{ run_id: string; steps: string[] }>(
      `SELECT run_id, array_agg(step_id || ':' || status ORDER BY queued_at, step_id) AS steps FROM step_executions WHERE run_id = ANY($1) GROUP BY run_id`,
      [runs.map((run) => run.runId)],
    );
    const byRun = new Map(steps.map((row) => [row.run_id, row.steps]));
    expect(runs.map((run) => byRun.get(run.runId))).toEqual(runs.map(() => STEP_IDS.map((id) => `${id}:succeeded`)));
  };

  beforeAll(async () => {
    testApp = await startTestApp('crash-recovery', { worker: false });
    pipeline = await ApiClient.withRole(testApp, 'pipeline');
    const admin = new ApiClient(testApp, testApp.adminKey);
    for (const [index, key] of STATUSES.entries()) {
      const category = index === 0 ? 'open' : index === STATUSES.length - 1 ? 'approved' : 'pending';
      const created = await admin.post('/v1/admin/statuses', { set: 'crash', key, label: key, category, terminal: index === STATUSES.length - 1 });
      expect(created.status).toBe(201);
    }
    expect((await admin.post('/v1/workflows', WORKFLOW)).status).toBe(201);
    db = new Client({ connectionString: testApp.resources.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await killAllWorkers();
    await locker?.end().catch(() => undefined);
    await db?.end();
    await testApp?.close();
  });

  it('completes every run with each effect exactly once after a SIGKILL mid-step and an emptied Redis', async () => {
    // 30 runs wait in Redis before any worker runs; 5 of their cases are locked by this test, so
    // the worker will be stuck inside the transaction that applies those runs' first status change.
    const first = await createRuns(30);
    const stuck = first.slice(0, 5);
    locker = new Client({ connectionString: testApp.resources.databaseUrl });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT id FROM cases WHERE id = ANY($1) FOR UPDATE', [stuck.map((run) => run.caseId)]);
    const [{ pid: lockerPid }] = (await locker.query('SELECT pg_backend_pid() AS pid')).rows as Array<{ pid: number }>;

    const workerA = await startWorker();
    const deadline = Date.now() + 15_000;
    // Inside the transaction that claims and applies those steps, the worker waits on the cases' locks.
    // Found by who blocks it, not by its text: pg_stat_activity cuts a long statement's text short.
    let waiting: Array<{ pid: number }> = [];
    for (;;) {
      waiting = await sql(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND $1 = ANY(pg_blocking_pids(pid))`, [lockerPid]);
      if (waiting.length > 0) break;
      if (Date.now() > deadline) throw new Error(`the worker never got into the locked steps\n${workerA.output.join('\n')}`);
      await sleep(50);
    }
    const beforeKill = await sql<{ status: string; count: number }>(`SELECT status, count(*)::int AS count FROM runs GROUP BY status`);
    await workerA.kill('SIGKILL');

    // While no worker runs, 10 more runs are created; then Redis loses every job of both batches,
    // and the killed worker's transactions, unblocked, find their client gone and roll back.
    const second = await createRuns(10);
    expect(await deleteRedisKeys(testApp.resources.redisUrl, `${testApp.resources.queuePrefix}:*`)).toBeGreaterThan(0);
    await locker.query('ROLLBACK');
    await locker.end();
    locker = undefined;

    // The new worker re-enqueues, at start, the steps pending for more than 5 s: let them get that old.
    const [{ wait }] = await sql<{ wait: number }>(
      `SELECT GREATEST(0, 5500 - EXTRACT(EPOCH FROM clock_timestamp() - max(queued_at)) * 1000)::int AS wait FROM step_executions WHERE status IN ('queued', 'running')`,
    );
    await sleep(wait);
    const workerB = await startWorker();
    const all = [...first, ...second];
    await waitForCompletion(
      all.map((run) => run.runId),
      20_000,
    );
    expect(workerB.output.some((line) => /Re-enqueued \d+ step job/.test(line))).toBe(true);
    expect(beforeKill.find((row) => row.status === 'running')?.count).toBeGreaterThanOrEqual(stuck.length);
    await expectExactlyOnce(all);
  }, 55_000);

  // Seen in `npm run chaos` while PostgreSQL restarts: a step whose connection the restart took
  // logged "failed: ACTION_FAILED: Query runner already released" or "…: the database system is
  // shutting down", i.e. it was failed as the step's own error. Were PostgreSQL back by the time
  // that failure is recorded, the run would end `failed`; if not, the job is failed in BullMQ and
  // only the periodic reconcile (a step 30 s old, every 30 s) brings it back.
  it('treats the errors a PostgreSQL restart raises as infrastructure errors, not step failures', () => {
    // pg raises this one when a connection is opened during the restart: TypeORM opens it outside
    // the try that wraps query errors into QueryFailedError, so its SQLSTATE (57P03) is never read.
    const connecting = Object.assign(new DatabaseError('the database system is shutting down', 0, 'error'), { code: '57P03', severity: 'FATAL' });
    // TypeORM raises this one for the next query of a transaction whose connection the server closed.
    const released = new QueryRunnerAlreadyReleasedError();
    expect({ connecting: isInfrastructureError(connecting), released: isInfrastructureError(released) }).toEqual({ connecting: true, released: true });
  });

  // SPEC §4: "Redis restarted or emptied … loses no run". The sweep must not live in Redis itself
  // (a BullMQ schedule would be emptied with the rest): a worker that stays up keeps sweeping.
  it('goes on reconciling when Redis is emptied under a worker that stays up', async () => {
    const worker = workers.find((candidate) => candidate.alive()) ?? (await startWorker());
    await worker.started;
    const steps = testApp.app.get<Queue>(getQueueToken(QueueName.Steps));
    await steps.pause(); // so the new runs' first jobs wait in Redis instead of being taken at once
    const lost = await createRuns(5);
    expect(await deleteRedisKeys(testApp.resources.redisUrl, `${testApp.resources.queuePrefix}:*`)).toBeGreaterThan(0);
    // The periodic reconcile leaves steps younger than 30 s alone; these are made older so that
    // any reconcile pass takes them, and the test waits for one pass, not for them to age.
    await sql(`UPDATE step_executions SET queued_at = queued_at - interval '1 hour' WHERE status IN ('queued', 'running')`);
    await waitForCompletion(
      lost.map((run) => run.runId),
      RECONCILE_EVERY_MS + 5000,
    );
    await expectExactlyOnce(lost);
  }, RECONCILE_EVERY_MS + 20_000);
});
