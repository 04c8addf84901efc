import { DataSource } from 'typeorm';
import { CasesService, CaseStatusChangesService, CaseStatusUpdatesService } from '@app/cases';
import { ApiClient } from '../support/api-client';
import { answersOfFlushFailedAfterCommit, failFirstFlushOfSeveral } from '../support/fault-injection';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Pipelines' status updates committed together, against the real PostgreSQL: every request keeps
 * its own answer and its own effect whatever else shares its transaction.
 */
describe('pipeline status updates committed together (PostgreSQL)', () => {
  let testApp: TestApp;
  let pipeline: ApiClient;

  beforeAll(async () => {
    testApp = await startTestApp('status-updates');
    pipeline = await ApiClient.withRole(testApp, 'pipeline');
  });

  afterAll(async () => {
    await testApp?.close();
  });

  async function newCase(): Promise<string> {
    const response = await pipeline.post('/v1/cases', { type: 'person' });
    expect(response.status).toBe(201);
    return response.body.id as string;
  }

  async function newCases(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(await newCase());
    return ids;
  }

  const setStatus = (caseId: string, body: object, headers: Record<string, string> = {}) => {
    const request = pipeline.post(`/v1/cases/${caseId}/status`, body);
    for (const [name, value] of Object.entries(headers)) request.set(name, value);
    return request;
  };

  async function statusChanges(caseId: string): Promise<string[]> {
    const events = (await pipeline.get(`/v1/cases/${caseId}/events`)).body.items as Array<{ type: string; to: string }>;
    return events.filter((event) => event.type === 'status_changed').map((event) => event.to);
  }

  /** Counts the flushes by their one call to apply status changes, and what each carried. */
  function countFlushes() {
    return jest.spyOn(testApp.get(CaseStatusChangesService), 'applyAll');
  }

  it('commits concurrent updates of many cases together, each answered on its own', async () => {
    const [a, b, c, d, unknownStatus, stale, terminal, twice] = await newCases(8);
    expect((await setStatus(terminal, { status: 'approved' })).status).toBe(200);
    const unknownCase = '00000000-0000-4000-8000-000000000000';
    const flushes = countFlushes();
    try {
      const responses = await Promise.all([
        ...[a, b, c, d].map((id) => setStatus(id, { status: 'pending', reason: `screening ${id}` })),
        setStatus(unknownStatus, { status: 'no_such_status' }),
        setStatus(stale, { status: 'pending' }, { 'If-Match': '"7"' }),
        setStatus(terminal, { status: 'pending' }),
        setStatus(unknownCase, { status: 'pending' }),
        setStatus(twice, { status: 'pending' }),
        setStatus(twice, { status: 'open' }),
      ]);
      const [ok, unknownStatusAnswer, staleAnswer, terminalAnswer, unknownCaseAnswer, ...twiceAnswers] = [responses.slice(0, 4), ...responses.slice(4)];

      expect(ok.map((response) => [response.status, response.body.id, response.body.status, response.body.version, response.headers.etag])).toEqual(
        [a, b, c, d].map((id) => [200, id, 'pending', 2, '"2"']),
      );
      for (const response of ok) expect(response.body.runs).toEqual([]);
      expect([unknownStatusAnswer.status, unknownStatusAnswer.body.error.code]).toEqual([422, 'UNKNOWN_STATUS']);
      expect([staleAnswer.status, staleAnswer.body.error.code]).toEqual([412, 'VERSION_MISMATCH']);
      expect([terminalAnswer.status, terminalAnswer.body.error.code]).toEqual([409, 'CASE_TERMINAL']);
      expect([unknownCaseAnswer.status, unknownCaseAnswer.body.error.code]).toEqual([404, 'CASE_NOT_FOUND']);
      // Two updates of one case, in whichever order they came: each answer shows the case as its
      // own update left it (from open, "open" then "pending" changes it once, the other order twice).
      expect(twiceAnswers.map((response) => [response.status, response.body.status])).toEqual([
        [200, 'pending'],
        [200, 'open'],
      ]);
      const last = twiceAnswers.map((response) => response.body).sort((x, y) => x.version - y.version)[1];
      expect((await pipeline.get(`/v1/cases/${twice}`)).body).toMatchObject({ status: last.status, version: last.version });
      expect(await statusChanges(twice)).toHaveLength(last.version - 1);

      for (const id of [a, b, c, d]) expect(await statusChanges(id)).toEqual(['pending']);
      for (const id of [unknownStatus, stale]) expect(await statusChanges(id)).toEqual([]);
      expect(await statusChanges(terminal)).toEqual(['approved']);
      // Every update went through a flush, and some flushes carried several.
      const sizes = flushes.mock.calls.map(([, changes]) => changes.length);
      expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(responses.length);
      expect(Math.max(...sizes)).toBeGreaterThan(1);
    } finally {
      flushes.mockRestore();
    }
  });

  it("answers with the case's runs, read with the case, as GET shows them; a replay reads them anew", async () => {
    const author = await ApiClient.withRole(testApp, 'author');
    const waits = { key: 'waits-for-go', name: 'Waits for GO', initial: 'wait', states: { wait: { on: { GO: 'done' } }, done: { type: 'final' } } };
    expect((await author.post('/v1/workflows', waits)).status).toBe(201);
    const created = await pipeline.post('/v1/cases', { type: 'person', workflow: waits.key });
    const caseId = created.body.id as string;
    expect((await pipeline.post(`/v1/runs/${created.body.runs[0].id}/events`, { type: 'GO' })).status).toBe(200);
    const second = await pipeline.post('/v1/runs', { caseId, workflow: waits.key });
    expect(second.status).toBe(201);

    const first = await setStatus(caseId, { status: 'pending' }, { 'Idempotency-Key': `runs-${caseId}` });
    expect(first.status).toBe(200);
    expect(first.body.runs).toEqual([
      { id: created.body.runs[0].id, workflow: waits.key, version: 1, status: 'completed', state: 'done' },
      { id: second.body.id, workflow: waits.key, version: 1, status: 'waiting', state: 'wait' },
    ]);
    expect(first.body).toEqual((await pipeline.get(`/v1/cases/${caseId}`)).body);

    // The stored answer has no runs: the replay shows them as they are when it comes.
    expect((await pipeline.post(`/v1/runs/${second.body.id}/events`, { type: 'GO' })).status).toBe(200);
    const replay = await setStatus(caseId, { status: 'pending' }, { 'Idempotency-Key': `runs-${caseId}` });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual({ ...first.body, runs: [first.body.runs[0], { ...first.body.runs[1], status: 'completed', state: 'done' }] });
  });

  it('keeps each Idempotency-Key to its own request when keyed requests share a flush', async () => {
    const [a, b, c] = await newCases(3);
    const responses = await Promise.all([
      setStatus(a, { status: 'pending' }, { 'Idempotency-Key': `same-${a}` }),
      setStatus(a, { status: 'pending' }, { 'Idempotency-Key': `same-${a}` }),
      setStatus(b, { status: 'pending' }, { 'Idempotency-Key': `reused-${b}` }),
      setStatus(b, { status: 'declined' }, { 'Idempotency-Key': `reused-${b}` }),
      setStatus(c, { status: 'no_such_status' }, { 'Idempotency-Key': `failed-${c}` }),
    ]);
    const [first, second, one, other, failed] = responses;

    // One key, one request twice: one effect, the other answer a replay of it.
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body).toEqual(first.body);
    expect([first.headers['idempotent-replayed'], second.headers['idempotent-replayed']].sort()).toEqual(['true', undefined]);
    expect(await statusChanges(a)).toEqual(['pending']);
    // One key, two different requests: one applies, the other is refused.
    expect([one.status, other.status].sort()).toEqual([200, 422]);
    expect([one, other].find((response) => response.status === 422)?.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await statusChanges(b)).toHaveLength(1);
    // A request that failed keeps no claim on its key: the corrected request goes through.
    expect([failed.status, failed.body.error.code]).toEqual([422, 'UNKNOWN_STATUS']);
    const corrected = await setStatus(c, { status: 'pending' }, { 'Idempotency-Key': `failed-${c}` });
    expect([corrected.status, corrected.body.status, corrected.headers['idempotent-replayed']]).toEqual([200, 'pending', undefined]);

    // The stored answers replay later, as they were given.
    const replay = await setStatus(a, { status: 'pending' }, { 'Idempotency-Key': `same-${a}` });
    expect([replay.status, replay.headers['idempotent-replayed'], replay.body]).toEqual([200, 'true', first.body]);
  });

  it('when a flush of several updates fails, rolls it back and tries each update on its own', async () => {
    const ids = await newCases(8);
    // The first flush of several updates fails just before its last message (reading the answers).
    const fault = failFirstFlushOfSeveral(testApp.get(CasesService), 'details');
    try {
      const responses = await Promise.all(ids.map((id) => setStatus(id, { status: 'pending' }, { 'Idempotency-Key': `retried-${id}` })));
      expect(fault.failures()).toBe(1);
      expect(responses.map((response) => [response.status, response.body.version, response.headers['idempotent-replayed']])).toEqual(ids.map(() => [200, 2, undefined]));
      // Applied once: the failed flush left no change and no claimed key behind.
      for (const id of ids) expect(await statusChanges(id)).toEqual(['pending']);
      const replays = await Promise.all(ids.map((id) => setStatus(id, { status: 'pending' }, { 'Idempotency-Key': `retried-${id}` })));
      expect(replays.map((response) => [response.status, response.body.version, response.headers['idempotent-replayed']])).toEqual(ids.map(() => [200, 2, 'true']));
    } finally {
      fault.restore();
    }
  });

  it('settles a key of an earlier round when the last round of the flush, with none, carries the COMMIT', async () => {
    const [blocker, id] = await newCases(2);
    const [{ organization_id: organizationId }] = await testApp.get(DataSource).query('SELECT organization_id FROM cases WHERE id = $1', [id]);
    const updates = testApp.get(CaseStatusUpdatesService);
    const actor = { id: 'key:test', source: 'pipeline' as const };
    const flushes = countFlushes();
    try {
      // The first goes at once; the two updates of one case then wait and share the next flush, in two rounds.
      const [, keyed, unkeyed] = await Promise.all([
        updates.update(organizationId, blocker, { status: 'pending' }, {}, actor),
        updates.update(organizationId, id, { status: 'pending' }, { idempotencyKey: `rounds-${id}` }, actor),
        updates.update(organizationId, id, { status: 'approved' }, {}, actor),
      ]);
      expect(flushes.mock.calls.map(([, changes]) => changes.map((change) => change.status))).toEqual([['pending'], ['pending'], ['approved']]);
      expect([keyed.body.status, keyed.body.version, unkeyed.body.status, unkeyed.body.version]).toEqual(['pending', 2, 'approved', 3]);
    } finally {
      flushes.mockRestore();
    }
    expect(await statusChanges(id)).toEqual(['pending', 'approved']);
    // The first round's answer was stored with the transaction the second round's read committed.
    const replay = await setStatus(id, { status: 'pending' }, { 'Idempotency-Key': `rounds-${id}` });
    expect([replay.status, replay.headers['idempotent-replayed'], replay.body.status, replay.body.version]).toEqual([200, 'true', 'pending', 2]);
  });

  it('when a flush fails after its read carried the COMMIT, answers each update with the error and applies none twice', async () => {
    const ids = await newCases(8);
    // Without keys the answers' read carries the COMMIT; the flush then fails after it.
    const fault = failFirstFlushOfSeveral(testApp.get(CasesService), 'details', { afterItRan: true });
    const statuses = await answersOfFlushFailedAfterCommit(fault, () => Promise.all(ids.map((id) => setStatus(id, { status: 'pending' }))));
    expect(statuses).toHaveLength(ids.length);
    // Committed once, failed answer or not: one change each, and the case at version 2.
    for (const id of ids) expect(await statusChanges(id)).toEqual(['pending']);
    const cases = await Promise.all(ids.map((id) => pipeline.get(`/v1/cases/${id}`)));
    expect(cases.map((response) => [response.body.status, response.body.version])).toEqual(ids.map(() => ['pending', 2]));
  });
});
