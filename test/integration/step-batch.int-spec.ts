import { DataSource } from 'typeorm';
import { RetryableStepError, StepExecutorService, StepOutcome } from '@app/runs';
import { ApiClient, RunBody } from '../support/api-client';
import { FlakyTestAction } from '../support/test-actions';
import { startTestApp, TestApp } from '../support/test-app';
import { twoStepWorkflow } from '../support/workflow-fixtures';

/**
 * Group commit against the real PostgreSQL and Redis, with no worker: the test is the queue and
 * delivers step attempts to the executor itself, many at once, so they are decided and written
 * together. WORKER_CONCURRENCY is set high so that a batch's share of it is larger than any group
 * these tests submit at once: attempts submitted together then wait for company and form one
 * batch, whatever the executor's batch tuning.
 */
describe('step execution by group commit (PostgreSQL + Redis, no worker running)', () => {
  const CONCURRENCY = 500;
  /** Attempts delivered together in the mixed test: one batch. */
  const BATCH = 20;

  let testApp: TestApp;
  let pipeline: ApiClient;
  let executor: StepExecutorService;
  let db: DataSource;

  beforeAll(async () => {
    testApp = await startTestApp('step-batch', { worker: false, env: { WORKER_CONCURRENCY: String(CONCURRENCY) } });
    pipeline = await ApiClient.withRole(testApp, 'pipeline');
    await ApiClient.publish(testApp, twoStepWorkflow, tolerantTwoSteps, retryThenMove);
    executor = testApp.get(StepExecutorService);
    db = testApp.get(DataSource);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  /** twoStepWorkflow, but a refused first step does not stop the run. */
  const tolerantTwoSteps = {
    ...twoStepWorkflow,
    key: 'two-steps-tolerant',
    name: 'two steps, tolerant',
    states: {
      ...twoStepWorkflow.states,
      work: {
        ...twoStepWorkflow.states.work,
        steps: [{ ...twoStepWorkflow.states.work.steps[0], continueOnError: true }, twoStepWorkflow.states.work.steps[1]],
      },
    },
  };

  /** A provider call that fails once and is retried, in a state an event can leave meanwhile. */
  const retryThenMove = {
    key: 'retry-then-move',
    name: 'retry then move',
    initial: 'calling',
    states: {
      calling: {
        steps: [{ id: 'slow', action: 'test.flaky', params: { failTimes: 1 }, retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 1000 } } }],
        on: { MOVE: 'moved' },
      },
      moved: { type: 'final' },
    },
  };

  interface Started {
    caseId: string;
    runId: string;
    /** The step execution the run waits on: its first step. */
    stepExecutionId: string;
  }

  async function startCase(workflow: string): Promise<Started> {
    const created = await pipeline.post('/v1/cases', { type: 'person', workflow });
    expect(created.status).toBe(201);
    const runId = created.body.runs[0].id as string;
    const run = (await pipeline.get(`/v1/runs/${runId}`)).body as RunBody;
    expect(run.steps).toEqual([expect.objectContaining({ status: 'queued', attempts: 0 })]);
    return { caseId: created.body.id, runId, stepExecutionId: run.steps[0].id };
  }

  const startCases = (workflow: string, count: number) => Promise.all(Array.from({ length: count }, () => startCase(workflow)));
  const firstAttempt = (started: Started) => ({ stepExecutionId: started.stepExecutionId, attempt: 1, maxAttempts: 1 });

  async function statusChanges(caseIds: string[]) {
    const rows: Array<{ case_id: string; from_value: string; to_value: string; source: string; reason: string | null }> = await db.query(
      `SELECT case_id, from_value, to_value, source, reason FROM case_events WHERE case_id = ANY($1::uuid[]) AND type = 'status_changed' ORDER BY id`,
      [caseIds],
    );
    const byCase = new Map<string, typeof rows>(caseIds.map((id) => [id, []]));
    for (const row of rows) byCase.get(row.case_id)?.push(row);
    return byCase;
  }

  async function stepsOfRuns(runIds: string[]) {
    const rows: Array<{ id: string; run_id: string; step_id: string; status: string; attempts: number; error: { code: string } | null }> = await db.query(
      `SELECT id, run_id, step_id, status, attempts, error FROM step_executions WHERE run_id = ANY($1::uuid[]) ORDER BY queued_at, id`,
      [runIds],
    );
    const byRun = new Map<string, typeof rows>(runIds.map((id) => [id, []]));
    for (const row of rows) byRun.get(row.run_id)?.push(row);
    return byRun;
  }

  async function runRow(runId: string) {
    const [row]: Array<{ status: string; state: string; current_step_execution_id: string | null; error: { code: string; stepId: string } | null }> = await db.query(
      `SELECT status, state, current_step_execution_id, error FROM runs WHERE id = $1`,
      [runId],
    );
    return row;
  }

  /** The transaction that last wrote each of these step rows, in their order: one batch is one transaction. */
  async function writingTransactions(stepExecutionIds: string[]): Promise<string[]> {
    const rows: Array<{ id: string; xid: string }> = await db.query(`SELECT id, xmin::text AS xid FROM step_executions WHERE id = ANY($1::uuid[])`, [stepExecutionIds]);
    const byId = new Map(rows.map((row) => [row.id, row.xid]));
    return stepExecutionIds.map((id) => byId.get(id) ?? 'missing');
  }

  /** Asserts a two-steps run whose first step succeeded once and whose second is queued, once. */
  async function expectMovedOnOnce(started: Started[]) {
    const changes = await statusChanges(started.map((s) => s.caseId));
    const steps = await stepsOfRuns(started.map((s) => s.runId));
    for (const { caseId, runId, stepExecutionId } of started) {
      expect({ caseId, changes: changes.get(caseId)?.map((c) => `${c.source}:${c.from_value}->${c.to_value}:${c.reason}`) }).toEqual({
        caseId,
        changes: ['workflow:open->pending:first'],
      });
      const runSteps = steps.get(runId) ?? [];
      expect({ runId, steps: runSteps.map((s) => `${s.step_id}:${s.status}:${s.attempts}`) }).toEqual({ runId, steps: ['first:succeeded:1', 'second:queued:0'] });
      expect(runSteps[0].id).toBe(stepExecutionId);
      const run = await runRow(runId);
      expect(run).toMatchObject({ status: 'running', state: 'work', current_step_execution_id: runSteps[1].id, error: null });
    }
  }

  it('executes 40 steps of 40 runs at once: each applies its status change once and moves its run on once', async () => {
    const started = await startCases('two-steps', 40);

    const outcomes = await Promise.all(started.map((s) => executor.execute(firstAttempt(s))));

    expect(outcomes).toEqual(Array(40).fill('succeeded'));
    await expectMovedOnOnce(started);
    // Written together: far fewer transactions than steps, each taking the attempts in the order they came.
    const transactions = await writingTransactions(started.map((s) => s.stepExecutionId));
    expect(transactions).not.toContain('missing');
    const distinct = [...new Set(transactions)];
    expect(distinct.length).toBeLessThanOrEqual(4);
    expect(distinct.flatMap((xid) => transactions.filter((t) => t === xid))).toEqual(transactions);
    // A step's start is its batch's lock, before the write that finishes it: the timeline shows how long it took.
    const timings: Array<{ started_before_finish: boolean; started_after_queued: boolean }> = await db.query(
      `SELECT started_at < finished_at AS started_before_finish, started_at >= queued_at AS started_after_queued
       FROM step_executions WHERE id = ANY($1::uuid[])`,
      [started.map((s) => s.stepExecutionId)],
    );
    expect(timings).toEqual(Array(40).fill({ started_before_finish: true, started_after_queued: true }));

    // Delivered again (the queue's at-least-once): nothing more happens.
    const again = await Promise.all(started.map((s) => executor.execute(firstAttempt(s))));
    expect(again).toEqual(Array(40).fill('noop'));
    await expectMovedOnOnce(started);
  });

  it('in one batch, a refused status change, a duplicate delivery and a stale step each end on their own; the rest succeed', async () => {
    const flaky = testApp.get(FlakyTestAction);

    // A case a pipeline already closed: its step's status change is refused (CASE_TERMINAL).
    const closed = await startCase('two-steps');
    const closedTolerant = await startCase('two-steps-tolerant');
    for (const { caseId } of [closed, closedTolerant]) {
      const set = await pipeline.post(`/v1/cases/${caseId}/status`, { status: 'approved', reason: 'closed by pipeline' });
      expect(set.status).toBe(200);
    }

    // A step whose first attempt failed and awaits its retry, while an event takes the run elsewhere.
    const stale = await startCase('retry-then-move');
    await expect(executor.execute({ stepExecutionId: stale.stepExecutionId, attempt: 1, maxAttempts: 2 })).rejects.toBeInstanceOf(RetryableStepError);
    expect((await stepsOfRuns([stale.runId])).get(stale.runId)?.map((s) => `${s.status}:${s.attempts}`)).toEqual(['running:1']);
    const moved = await pipeline.post(`/v1/runs/${stale.runId}/events`, { type: 'MOVE' });
    expect(moved.status).toBe(200);
    expect(moved.body.state).toBe('moved');

    // A step an event interrupted before it started: the event skipped it already.
    const interrupted = await startCase('retry-then-move');
    expect((await pipeline.post(`/v1/runs/${interrupted.runId}/events`, { type: 'MOVE' })).status).toBe(200);

    const healthy = await startCases('two-steps', BATCH - 5);
    const [twice] = healthy;
    const deliveries: Array<{ name: string; attempt: { stepExecutionId: string; attempt: number; maxAttempts: number } }> = [
      { name: 'twice#1', attempt: firstAttempt(twice) },
      { name: 'closed', attempt: firstAttempt(closed) },
      { name: 'twice#2', attempt: firstAttempt(twice) },
      { name: 'closed-tolerant', attempt: firstAttempt(closedTolerant) },
      { name: 'stale', attempt: { stepExecutionId: stale.stepExecutionId, attempt: 2, maxAttempts: 2 } },
      { name: 'interrupted', attempt: { stepExecutionId: interrupted.stepExecutionId, attempt: 1, maxAttempts: 2 } },
      ...healthy.slice(1).map((s, i) => ({ name: `healthy-${i}`, attempt: firstAttempt(s) })),
    ];
    expect(deliveries).toHaveLength(BATCH);

    const settled = await Promise.allSettled(deliveries.map((d) => executor.execute(d.attempt)));
    const outcomes = Object.fromEntries(deliveries.map((d, i) => [d.name, settled[i].status === 'fulfilled' ? settled[i].value : `threw ${String(settled[i].reason)}`]));

    const expected: Record<string, StepOutcome> = { closed: 'failed', 'closed-tolerant': 'failed', stale: 'skipped', interrupted: 'noop' };
    healthy.slice(1).forEach((_, i) => (expected[`healthy-${i}`] = 'succeeded'));
    const { 'twice#1': first, 'twice#2': second, ...rest } = outcomes;
    expect(rest).toEqual(expected);
    expect([first, second].sort()).toEqual(['noop', 'succeeded']);

    // Everything the batch wrote, it wrote in one transaction (no step was sent through on its own).
    const written = [twice, closed, closedTolerant, stale, ...healthy.slice(1)].map((s) => s.stepExecutionId);
    expect(new Set(await writingTransactions(written)).size).toBe(1);

    // Every healthy step (the duplicated one included) applied its change once and moved its run on once.
    await expectMovedOnOnce(healthy);

    // The refused step failed alone, without retry; the case kept the status the pipeline set.
    const refused = await stepsOfRuns([closed.runId, closedTolerant.runId]);
    expect(refused.get(closed.runId)).toEqual([expect.objectContaining({ step_id: 'first', status: 'failed', attempts: 1, error: expect.objectContaining({ code: 'CASE_TERMINAL' }) })]);
    expect(await runRow(closed.runId)).toMatchObject({ status: 'failed', state: 'work', error: expect.objectContaining({ code: 'CASE_TERMINAL', stepId: 'first' }) });
    // With continueOnError the run goes on to its next step, recorded once.
    const tolerantSteps = refused.get(closedTolerant.runId) ?? [];
    expect(tolerantSteps.map((s) => `${s.step_id}:${s.status}:${s.error?.code ?? '-'}`)).toEqual(['first:failed:CASE_TERMINAL', 'second:queued:-']);
    expect(await runRow(closedTolerant.runId)).toMatchObject({ status: 'running', state: 'work', current_step_execution_id: tolerantSteps[1].id });
    const closedChanges = await statusChanges([closed.caseId, closedTolerant.caseId]);
    for (const { caseId } of [closed, closedTolerant]) {
      expect(closedChanges.get(caseId)?.map((c) => `${c.source}:${c.from_value}->${c.to_value}`)).toEqual(['pipeline:open->approved']);
      expect((await pipeline.get(`/v1/cases/${caseId}`)).body.status).toBe('approved');
    }

    // The stale step was skipped without calling its provider again; the interrupted one never ran.
    const staleSteps = await stepsOfRuns([stale.runId, interrupted.runId]);
    expect(staleSteps.get(stale.runId)?.map((s) => `${s.step_id}:${s.status}:${s.attempts}`)).toEqual(['slow:skipped:1']);
    expect(staleSteps.get(interrupted.runId)?.map((s) => `${s.step_id}:${s.status}:${s.attempts}`)).toEqual(['slow:skipped:0']);
    expect(flaky.calls.get(`${stale.runId}/slow`)).toBe(1);
    expect(flaky.calls.has(`${interrupted.runId}/slow`)).toBe(false);
    for (const { runId } of [stale, interrupted]) expect(await runRow(runId)).toMatchObject({ status: 'completed', state: 'moved' });
  });
});
