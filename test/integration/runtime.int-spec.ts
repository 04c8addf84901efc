import { DataSource } from 'typeorm';
import { CasesService } from '@app/cases';
import { StepExecutorService } from '@app/runs';
import { RunRepository } from '../../libs/runs/src/run.repository';
import { ApiClient, RunBody } from '../support/api-client';
import { answersOfFlushFailedAfterCommit, failFirstFlushOfSeveral } from '../support/fault-injection';
import { FlakyTestAction } from '../support/test-actions';
import { startTestApp, TestApp } from '../support/test-app';
import { twoStepWorkflow } from '../support/workflow-fixtures';

/**
 * The spine against the real PostgreSQL and Redis: steps run as BullMQ jobs in a worker, effects
 * commit with the step, and failures follow continueOnError, onError or fail the run.
 */
describe('workflow runtime (PostgreSQL + Redis)', () => {
  let testApp: TestApp;
  let author: ApiClient;
  let pipeline: ApiClient;

  beforeAll(async () => {
    testApp = await startTestApp('runtime');
    author = await ApiClient.withRole(testApp, 'author');
    pipeline = await ApiClient.withRole(testApp, 'pipeline');
  });

  afterAll(async () => {
    await testApp?.close();
  });

  async function publish(definition: object) {
    const response = await author.post('/v1/workflows', definition);
    expect(response.body).toEqual({ key: (definition as { key: string }).key, version: expect.any(Number) });
    expect(response.status).toBe(201);
    return response.body as { key: string; version: number };
  }

  async function startCase(workflow: string, data: object = {}) {
    const response = await pipeline.post('/v1/cases', { type: 'person', workflow, data });
    expect(response.status).toBe(201);
    expect(response.body.runs).toHaveLength(1);
    return { caseId: response.body.id as string, runId: response.body.runs[0].id as string };
  }

  async function caseStatus(caseId: string) {
    return (await pipeline.get(`/v1/cases/${caseId}`)).body.status as string;
  }

  const threeSteps = (key: string, middle: object) => ({
    key,
    name: key,
    initial: 'process',
    states: {
      process: {
        steps: [
          { id: 'mark', action: 'case.updateStatus', params: { status: 'pending', reason: 'processing' } },
          { id: 'registry', action: 'test.flaky', ...middle },
          { id: 'finish', action: 'case.updateStatus', params: { status: 'approved', reason: 'all checks done' } },
        ],
        next: 'done',
      },
      done: { type: 'final' },
    },
  });

  /** Waits for GO, then ends. */
  /** Waits for GO, then ends, running `steps` (if any) in its final state. */
  const gate = (key: string, steps?: object[]) => ({
    key,
    name: key,
    initial: 'waiting',
    states: { waiting: { on: { GO: 'through' } }, through: { type: 'final', ...(steps && { steps }) } },
  });

  const stepsById = (run: RunBody) => Object.fromEntries(run.steps.map((step) => [step.stepId, step]));

  it('with continueOnError, a failing middle step is recorded and the run completes', async () => {
    await publish(threeSteps('coe', { params: { failTimes: 99 }, continueOnError: true }));
    const { caseId, runId } = await startCase('coe');
    const run = await pipeline.settled(runId);

    expect(run.status).toBe('completed');
    expect(run.state).toBe('done');
    const steps = stepsById(run);
    expect(steps.mark.status).toBe('succeeded');
    expect(steps.registry.status).toBe('failed');
    expect(steps.registry.error).toEqual({ code: 'PROVIDER_DOWN', message: 'provider unavailable (call 1)' });
    expect(steps.finish.status).toBe('succeeded');
    expect(run.context.steps.registry.error).toEqual({ code: 'PROVIDER_DOWN', message: 'provider unavailable (call 1)' });
    expect(run.states.map((entry) => entry.state)).toEqual(['process', 'done']);
    expect(await caseStatus(caseId)).toBe('approved');
  });

  it('without continueOnError, the run fails at that step and later steps never run; retry resumes it', async () => {
    await publish(threeSteps('strict', { params: { failTimes: 1 } }));
    const { caseId, runId } = await startCase('strict');
    const failed = await pipeline.settled(runId);

    expect(failed.status).toBe('failed');
    expect(failed.state).toBe('process');
    expect(failed.error).toEqual({ code: 'PROVIDER_DOWN', message: 'provider unavailable (call 1)', stepId: 'registry' });
    expect(failed.steps.map((step) => `${step.stepId}:${step.status}`)).toEqual(['mark:succeeded', 'registry:failed']);
    expect(await caseStatus(caseId)).toBe('pending');

    const refused = await pipeline.post(`/v1/runs/${runId}/events`, { type: 'ANYTHING' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('RUN_NOT_ACTIVE');

    const retried = await pipeline.post(`/v1/runs/${runId}/retry`);
    expect(retried.status).toBe(200);
    const completed = await pipeline.settled(runId);
    expect(completed.status).toBe('completed');
    expect(completed.steps.map((step) => `${step.stepId}:${step.status}`)).toEqual(['mark:succeeded', 'registry:failed', 'registry:succeeded', 'finish:succeeded']);
    expect(await caseStatus(caseId)).toBe('approved');

    const again = await pipeline.post(`/v1/runs/${runId}/retry`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('RUN_NOT_FAILED');
  });

  it('follows onError to the state it names', async () => {
    await publish({
      key: 'fallback',
      name: 'fallback',
      initial: 'check',
      states: {
        check: { steps: [{ id: 'lookup', action: 'test.flaky', params: { failTimes: 99 } }], onError: 'manual', next: 'done' },
        manual: { type: 'final', steps: [{ id: 'decline', action: 'case.updateStatus', params: { status: 'declined', reason: 'registry unavailable' } }] },
        done: { type: 'final' },
      },
    });
    const { caseId, runId } = await startCase('fallback');
    const run = await pipeline.settled(runId);
    expect(run.status).toBe('completed');
    expect(run.state).toBe('manual');
    expect(run.states.map((entry) => entry.state)).toEqual(['check', 'manual']);
    expect(stepsById(run).lookup.status).toBe('failed');
    expect(await caseStatus(caseId)).toBe('declined');
  });

  it('retries make exactly the configured number of attempts, with backoff', async () => {
    const flaky = testApp.get(FlakyTestAction);
    await publish({
      key: 'retrying',
      name: 'retrying',
      initial: 'call',
      states: {
        call: {
          steps: [
            { id: 'recovers', action: 'test.flaky', params: { failTimes: 2 }, retry: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 100 } } },
            { id: 'gives-up', action: 'test.flaky', params: { failTimes: 99 }, retry: { maxAttempts: 3, backoff: { type: 'exponential', delayMs: 50 } } },
          ],
          next: 'done',
        },
        done: { type: 'final' },
      },
    });
    const { runId } = await startCase('retrying');
    const run = await pipeline.settled(runId);
    const steps = stepsById(run);
    expect(steps.recovers).toMatchObject({ status: 'succeeded', attempts: 3, output: { ok: true, call: 3, attempt: 3 } });
    expect(steps['gives-up']).toMatchObject({ status: 'failed', attempts: 3 });
    expect(flaky.calls.get(`${runId}/recovers`)).toBe(3);
    expect(flaky.calls.get(`${runId}/gives-up`)).toBe(3);
    expect(run.status).toBe('failed');
  });

  it('does not retry a step the domain refused: the refusal is the same on every attempt', async () => {
    await publish({
      key: 'refused',
      name: 'refused',
      initial: 'set',
      states: {
        set: {
          steps: [{ id: 'bad', action: 'case.updateStatus', params: { status: '{{ case.data.target }}' }, retry: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 1000 } } }],
          next: 'done',
        },
        done: { type: 'final' },
      },
    });
    const { runId } = await startCase('refused', { target: 'no-such-status' });
    const run = await pipeline.settled(runId, 2500);
    expect(run.status).toBe('failed');
    expect(run.steps).toEqual([expect.objectContaining({ stepId: 'bad', status: 'failed', attempts: 1, error: expect.objectContaining({ code: 'UNKNOWN_STATUS' }) })]);
  });

  it('skips a step waiting out its retry backoff when an event leaves its state', async () => {
    const flaky = testApp.get(FlakyTestAction);
    await publish({
      key: 'interrupted',
      name: 'interrupted',
      initial: 'work',
      states: {
        work: {
          steps: [{ id: 'slow', action: 'test.flaky', params: { failTimes: 1 }, retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 700 } } }],
          on: { STOP: 'stopped' },
        },
        stopped: { type: 'final', steps: [{ id: 'decline', action: 'case.updateStatus', params: { status: 'declined' } }] },
      },
    });
    const { caseId, runId } = await startCase('interrupted');
    await pipeline.waitForRun(runId, (run) => run.steps[0]?.error !== null && run.steps[0]?.error !== undefined);
    expect((await pipeline.post(`/v1/runs/${runId}/events`, { type: 'STOP' })).status).toBe(200);
    const run = await pipeline.waitForRun(runId, (current) => current.status === 'completed' && current.steps[0].status === 'skipped', 5000);
    expect(run.steps.map((step) => `${step.stepId}:${step.status}`)).toEqual(['slow:skipped', 'decline:succeeded']);
    expect(flaky.calls.get(`${runId}/slow`)).toBe(1);
    expect(await caseStatus(caseId)).toBe('declined');
  });

  it('accepts an event only where the state has it, with JSONLogic guards over the case', async () => {
    await publish({
      key: 'review',
      name: 'review',
      initial: 'review',
      states: {
        review: {
          steps: [{ id: 'to-review', action: 'case.updateStatus', params: { status: 'pending' } }],
          on: {
            CASE_APPROVED: 'approved',
            RISK_CHANGED: { target: 'escalated', guard: { '>': [{ var: 'case.data.riskScore' }, 80] } },
          },
        },
        escalated: { on: { CASE_APPROVED: 'approved' } },
        approved: { type: 'final', steps: [{ id: 'approve', action: 'case.updateStatus', params: { status: 'approved' } }] },
      },
    });
    const low = await startCase('review', { riskScore: 20 });
    expect((await pipeline.settled(low.runId)).status).toBe('waiting');

    const unknown = await pipeline.post(`/v1/runs/${low.runId}/events`, { type: 'COLLECTION_COMPLETED' });
    expect(unknown.status).toBe(409);
    expect(unknown.body.error).toMatchObject({ code: 'EVENT_NOT_ACCEPTED', details: { state: 'review', acceptedEvents: ['CASE_APPROVED', 'RISK_CHANGED'] } });
    const guarded = await pipeline.post(`/v1/runs/${low.runId}/events`, { type: 'RISK_CHANGED' });
    expect(guarded.status).toBe(409);

    const high = await startCase('review', { riskScore: 95 });
    await pipeline.settled(high.runId);
    const escalated = await pipeline.post(`/v1/runs/${high.runId}/events`, { type: 'RISK_CHANGED' });
    expect(escalated.status).toBe(200);
    expect(escalated.body.state).toBe('escalated');

    const approved = await pipeline.post(`/v1/runs/${low.runId}/events`, { type: 'CASE_APPROVED', payload: { by: 'pipeline' } });
    expect(approved.status).toBe(200);
    const run = await pipeline.settled(low.runId);
    expect(run.status).toBe('completed');
    expect(run.events).toEqual([
      expect.objectContaining({ type: 'COLLECTION_COMPLETED', accepted: false }),
      expect.objectContaining({ type: 'RISK_CHANGED', accepted: false }),
      expect.objectContaining({ type: 'CASE_APPROVED', accepted: true }),
    ]);
    expect(await caseStatus(low.caseId)).toBe('approved');
  });

  it('applies concurrent events to one run one after another, none lost', async () => {
    const states: Record<string, object> = {};
    const count = 12;
    for (let i = 0; i < count; i++) states[`s${i}`] = { on: { NEXT: `s${i + 1}` } };
    states[`s${count}`] = { type: 'final' };
    await publish({ key: 'ladder', name: 'ladder', initial: 's0', states });
    const { runId } = await startCase('ladder');

    const responses = await Promise.all(Array.from({ length: count }, () => pipeline.post(`/v1/runs/${runId}/events`, { type: 'NEXT' })));
    expect(responses.map((response) => response.status)).toEqual(Array(count).fill(200));
    const run = await pipeline.settled(runId);
    expect(run.status).toBe('completed');
    expect(run.state).toBe(`s${count}`);
    expect(run.events.filter((event) => event.accepted)).toHaveLength(count);
    expect(run.states.map((entry) => entry.state)).toEqual(Array.from({ length: count + 1 }, (_, i) => `s${i}`));
  });

  it('commits concurrent events to many runs together, each answered on its own', async () => {
    await publish(gate('gate'));
    const runIds: string[] = [];
    for (let i = 0; i < 16; i++) runIds.push((await startCase('gate')).runId);
    // Each flush locks its runs in one statement: its calls tell the flushes and what each took.
    const spy = jest.spyOn(testApp.get(RunRepository), 'lockMany');
    const unknownRunId = '00000000-0000-4000-8000-000000000000';
    try {
      const [accepted, refused, unknown] = await Promise.all([
        Promise.all(runIds.slice(0, 12).map((runId) => pipeline.post(`/v1/runs/${runId}/events`, { type: 'GO', payload: { n: runId } }))),
        Promise.all(runIds.slice(12).map((runId) => pipeline.post(`/v1/runs/${runId}/events`, { type: 'STOP' }))),
        pipeline.post(`/v1/runs/${unknownRunId}/events`, { type: 'GO' }),
      ]);

      expect(accepted.map((response) => [response.status, response.body.id, response.body.state])).toEqual(runIds.slice(0, 12).map((id) => [200, id, 'through']));
      for (const response of accepted) expect(response.body.events).toEqual([{ type: 'GO', accepted: true, at: expect.any(String) }]);
      // Each event's payload went to the run it was sent to.
      const recorded: Array<{ run_id: string; n: string }> = await testApp
        .get(DataSource)
        .query(`SELECT run_id, payload->'payload'->>'n' AS n FROM run_history WHERE kind = 'event' AND name = 'GO' AND run_id = ANY($1::uuid[])`, [runIds]);
      expect(recorded.every((row) => row.n === row.run_id)).toBe(true);
      expect(recorded).toHaveLength(12);
      for (const response of refused) {
        expect(response.status).toBe(409);
        expect(response.body.error).toMatchObject({ code: 'EVENT_NOT_ACCEPTED', details: { state: 'waiting', event: 'STOP', acceptedEvents: ['GO'] } });
      }
      expect(unknown.status).toBe(404);
      for (const runId of runIds.slice(12)) {
        const run = (await pipeline.get(`/v1/runs/${runId}`)).body as RunBody;
        expect([run.status, run.state, run.events.map((event) => `${event.type}:${event.accepted}`)]).toEqual(['waiting', 'waiting', ['STOP:false']]);
      }
      // Every event went through a flush, and some flushes carried several.
      const flushes = spy.mock.calls.map(([, runIds]) => runIds.length);
      expect(flushes.reduce((sum, size) => sum + size, 0)).toBe(17);
      expect(Math.max(...flushes)).toBeGreaterThan(1);
    } finally {
      spy.mockRestore();
    }
  });

  it("reads the cases of a flush's guarded events together, each guard over its own case", async () => {
    await publish({
      key: 'scored-gate',
      name: 'scored-gate',
      initial: 'waiting',
      states: { waiting: { on: { GO: { target: 'through', guard: { '>': [{ var: 'case.data.score' }, 50] } } } }, through: { type: 'final' } },
    });
    const scores = [20, 80, 35, 95, 60, 10, 75, 40];
    const runIds: string[] = [];
    for (const score of scores) runIds.push((await startCase('scored-gate', { score })).runId);
    const cases = testApp.get(CasesService);
    const findCase = jest.spyOn(cases, 'findCase');
    const findCases = jest.spyOn(cases, 'findCases');
    try {
      const responses = await Promise.all(runIds.map((runId) => pipeline.post(`/v1/runs/${runId}/events`, { type: 'GO' })));
      expect(responses.map((response) => response.status)).toEqual(scores.map((score) => (score > 50 ? 200 : 409)));
      expect(findCase).not.toHaveBeenCalled();
      expect(findCases.mock.calls.reduce((sum, [, , caseIds]) => sum + caseIds.length, 0)).toBe(scores.length);
      expect(findCases.mock.calls.length).toBeLessThan(scores.length);
    } finally {
      findCase.mockRestore();
      findCases.mockRestore();
    }
  });

  it('when a flush of several events fails, rolls it back and tries each event on its own', async () => {
    await publish(gate('gate-retried'));
    const runIds: string[] = [];
    for (let i = 0; i < 8; i++) runIds.push((await startCase('gate-retried')).runId);
    // The first flush of several events fails just before its last message (reading the answers).
    const fault = failFirstFlushOfSeveral(testApp.get(RunRepository), 'findManyWithTimeline');
    try {
      const responses = await Promise.all(runIds.map((runId) => pipeline.post(`/v1/runs/${runId}/events`, { type: 'GO' })));
      expect(fault.failures()).toBe(1);
      expect(responses.map((response) => [response.status, response.body.state])).toEqual(runIds.map(() => [200, 'through']));
      for (const runId of runIds) {
        // Recorded once: the failed flush left nothing behind.
        expect((await pipeline.get(`/v1/runs/${runId}`)).body.events).toEqual([{ type: 'GO', accepted: true, at: expect.any(String) }]);
      }
    } finally {
      fault.restore();
    }
  });

  it('when a flush fails after its read carried the COMMIT, answers each event with the error and applies none twice', async () => {
    await publish(gate('gate-committed', [{ id: 'mark', action: 'case.updateStatus', params: { status: 'pending' } }]));
    const started: Array<{ caseId: string; runId: string }> = [];
    for (let i = 0; i < 8; i++) started.push(await startCase('gate-committed'));
    const fault = failFirstFlushOfSeveral(testApp.get(RunRepository), 'findManyWithTimeline', { afterItRan: true });
    // The failed flush's events were committed: their answers are errors, the others' are not, and no event was tried again.
    const statuses = await answersOfFlushFailedAfterCommit(fault, () => Promise.all(started.map(({ runId }) => pipeline.post(`/v1/runs/${runId}/events`, { type: 'GO' }))));
    expect(statuses).toHaveLength(started.length);
    for (const { caseId, runId } of started) {
      // Every run went on, its step enqueued after the commit: completed, with GO recorded once.
      const run = await pipeline.settled(runId);
      expect(run.status).toBe('completed');
      expect(run.events).toEqual([{ type: 'GO', accepted: true, at: expect.any(String) }]);
      expect(await caseStatus(caseId)).toBe('pending');
    }
  });

  it('keeps the version a run started with while new runs take the latest', async () => {
    const definition = (status: string) => ({
      key: 'pinned',
      name: 'pinned',
      initial: 'wait',
      states: { wait: { on: { GO: 'end' } }, end: { type: 'final', steps: [{ id: 'set', action: 'case.updateStatus', params: { status } }] } },
    });
    const first = await publish(definition('approved'));
    const old = await startCase('pinned');
    const second = await publish(definition('declined'));
    expect(second.version).toBe(first.version + 1);
    const fresh = await startCase('pinned');

    await pipeline.post(`/v1/runs/${old.runId}/events`, { type: 'GO' });
    await pipeline.post(`/v1/runs/${fresh.runId}/events`, { type: 'GO' });
    expect((await pipeline.settled(old.runId)).version).toBe(first.version);
    expect((await pipeline.settled(fresh.runId)).version).toBe(second.version);
    expect(await caseStatus(old.caseId)).toBe('approved');
    expect(await caseStatus(fresh.caseId)).toBe('declined');
  });
});

describe('step delivery (PostgreSQL + Redis, no worker running)', () => {
  let testApp: TestApp;
  let pipeline: ApiClient;

  beforeAll(async () => {
    testApp = await startTestApp('delivery', { worker: false });
    pipeline = await ApiClient.withRole(testApp, 'pipeline');
    await ApiClient.publish(testApp, twoStepWorkflow);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('a job delivered twice (even at once) applies its effect once and schedules the next step once', async () => {
    const created = await pipeline.post('/v1/cases', { type: 'person', workflow: 'two-steps' });
    const runId = created.body.runs[0].id as string;
    const queued = (await pipeline.get(`/v1/runs/${runId}`)).body as RunBody;
    expect(queued.steps).toEqual([expect.objectContaining({ stepId: 'first', status: 'queued', attempts: 0 })]);
    const stepExecutionId = queued.steps[0].id;

    const executor = testApp.get(StepExecutorService);
    const attempt = { stepExecutionId, attempt: 1, maxAttempts: 1 };
    const outcomes = await Promise.all([executor.execute(attempt), executor.execute(attempt)]);
    expect(outcomes.sort()).toEqual(['noop', 'succeeded']);
    expect(await executor.execute(attempt)).toBe('noop');

    const dataSource = testApp.get(DataSource);
    const changes = await dataSource.query(`SELECT from_value, to_value FROM case_events WHERE case_id = $1 AND type = 'status_changed'`, [created.body.id]);
    expect(changes).toEqual([{ from_value: 'open', to_value: 'pending' }]);
    const run = (await pipeline.get(`/v1/runs/${runId}`)).body as RunBody;
    expect(run.steps.map((step) => `${step.stepId}:${step.status}`)).toEqual(['first:succeeded', 'second:queued']);
  });
});
