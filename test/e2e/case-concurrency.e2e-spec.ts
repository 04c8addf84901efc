import { DataSource } from 'typeorm';
import { E2eClient, expectError } from '../support/e2e-client';
import { startTestApp, TestApp } from '../support/test-app';

/** Pipelines and reviewers acting on one case at once: replays, stale versions, races. */
describe('pipeline status updates and concurrent decisions (HTTP)', () => {
  let testApp: TestApp;
  let pipeline: E2eClient;
  let reviewer: E2eClient;
  let other: E2eClient;

  beforeAll(async () => {
    testApp = await startTestApp('case-concurrency');
    pipeline = await E2eClient.issue(testApp, 'pipeline');
    reviewer = await E2eClient.issue(testApp, 'reviewer');
    other = await E2eClient.issue(testApp, 'reviewer');
  });

  afterAll(async () => {
    await testApp?.close();
  });

  async function newCase(body: object = {}) {
    const response = await pipeline.post('/v1/cases', { type: 'person', ...body });
    expect(response.status).toBe(201);
    return response.body as { id: string; version: number; runs: Array<{ id: string }> };
  }

  async function auditTypes(caseId: string) {
    return (await reviewer.get(`/v1/cases/${caseId}/events`)).body.items.map((event: { type: string }) => event.type);
  }

  it('replays a request with the same Idempotency-Key: the stored answer, no second effect', async () => {
    const { id } = await newCase();
    const send = (body: object) => pipeline.post(`/v1/cases/${id}/status`, body).set('Idempotency-Key', 'sync-42');
    const first = await send({ status: 'pending', reason: 'screening' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id, status: 'pending', version: 2 });
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const replay = await send({ status: 'pending', reason: 'screening' });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expectError(await send({ status: 'approved' }), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await auditTypes(id)).toEqual(['case_created', 'status_changed']);
  });

  it('applies a burst of concurrent requests with one key exactly once', async () => {
    const { id } = await newCase();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => pipeline.post(`/v1/cases/${id}/status`, { status: 'pending' }).set('Idempotency-Key', `burst-${id}`)),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(200));
    expect(new Set(responses.map((response) => response.body.version))).toEqual(new Set([2]));
    expect(responses.filter((response) => response.headers['idempotent-replayed'] === 'true')).toHaveLength(7);
    expect(await auditTypes(id)).toEqual(['case_created', 'status_changed']);
  });

  it('refuses a stale If-Match with 412 and names the versions', async () => {
    const { id, version } = await newCase();
    const stale = await pipeline.post(`/v1/cases/${id}/status`, { status: 'pending' }).set('If-Match', `"${version + 5}"`);
    expectError(stale, 412, 'VERSION_MISMATCH');
    expect(stale.body.error.details).toEqual({ expectedVersion: version + 5, currentVersion: version });
    expectError(await pipeline.post(`/v1/cases/${id}/status`, { status: 'pending' }).set('If-Match', 'yesterday'), 400, 'INVALID_IF_MATCH');
    const fresh = await pipeline.post(`/v1/cases/${id}/status`, { status: 'pending' }).set('If-Match', `"${version}"`);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.etag).toBe(`"${version + 1}"`);
    expectError(await pipeline.post(`/v1/cases/${id}/status`, { status: 'no-such-status' }), 422, 'UNKNOWN_STATUS');
  });

  it('lets exactly one of two reviewers deciding at once win; the other gets 409', async () => {
    for (let round = 0; round < 5; round++) {
      const { id } = await newCase();
      const pending = await pipeline.post(`/v1/cases/${id}/status`, { status: 'pending' });
      const version = pending.body.version as number;
      const [approve, reject] = await Promise.all([
        reviewer.post(`/v1/cases/${id}/actions/approve`, { reason: 'ok', version }),
        other.post(`/v1/cases/${id}/actions/reject`, { reason: 'not ok', version }),
      ]);
      expect([approve.status, reject.status].sort()).toEqual([200, 409]);
      const loser = approve.status === 409 ? approve : reject;
      expectError(loser, 409);
      expect(['VERSION_CONFLICT', 'ACTION_NOT_AVAILABLE']).toContain(loser.body.error.code);
      const decided = (await reviewer.get(`/v1/cases/${id}`)).body.status;
      expect(decided).toBe(approve.status === 200 ? 'approved' : 'declined');
      expect((await auditTypes(id)).filter((type: string) => type.startsWith('case_'))).toHaveLength(2); // created + one decision
    }
  });

  it('keeps a reviewer\'s action when the run\'s state does not take its event, and says so', async () => {
    const author = await E2eClient.issue(testApp, 'author');
    const published = await author.post('/v1/workflows', {
      key: 'hold',
      name: 'hold',
      initial: 'hold',
      states: { hold: { steps: [{ id: 'pend', action: 'case.updateStatus', params: { status: 'pending' } }], on: { GO: 'done' } }, done: { type: 'final' } },
    });
    expect(published.status).toBe(201);
    const created = await newCase({ workflow: 'hold' });
    const runId = created.runs[0].id;
    await pipeline.settled(runId);
    const approved = await reviewer.post(`/v1/cases/${created.id}/actions/approve`, { reason: 'manual override' });
    expect(approved.status).toBe(200);
    expect(approved.body.run).toEqual({ id: runId, event: 'CASE_APPROVED', accepted: false });
    expect(approved.body.case.status).toBe('approved');
    const run = await pipeline.settled(runId);
    expect(run).toMatchObject({ status: 'waiting', state: 'hold' });
    expect(run.events).toEqual([expect.objectContaining({ type: 'CASE_APPROVED', accepted: false })]);
  });

  it('assigns and tags from the reviewer API and from workflow steps, all audited', async () => {
    const { id } = await newCase();
    const assigned = await reviewer.post(`/v1/cases/${id}/assign`, { assignee: 'alice@acme.example' });
    expect(assigned.body.assignee).toBe('alice@acme.example');
    const tagged = await reviewer.post(`/v1/cases/${id}/tags`, { add: ['pep', 'high-risk', 'pep'] });
    expect(tagged.body.tags).toEqual(['high-risk', 'pep']);
    const untagged = await reviewer.post(`/v1/cases/${id}/tags`, { remove: ['pep'] });
    expect(untagged.body.tags).toEqual(['high-risk']);
    expectError(await reviewer.post(`/v1/cases/${id}/tags`, { add: ['has space'] }), 400, 'VALIDATION_FAILED');
    expect(await auditTypes(id)).toEqual(['case_created', 'assignee_changed', 'tag_added', 'tag_added', 'tag_removed']);

    const author = await E2eClient.issue(testApp, 'author');
    await author.post('/v1/workflows', {
      key: 'enrich',
      name: 'enrich',
      initial: 'enrich',
      states: {
        enrich: {
          steps: [
            { id: 'snapshot', action: 'case.putBlock', params: { key: 'company', type: 'enriched_data', title: 'Company', data: '{{ case.data.company }}' } },
            { id: 'queue', action: 'case.assign', params: { queue: 'senior-review' } },
            { id: 'tag', action: 'case.addTag', params: { tags: ['enriched', 'kyb'] } },
          ],
          next: 'done',
        },
        done: { type: 'final' },
      },
    });
    const created = await newCase({ workflow: 'enrich', data: { company: { name: 'Acme', employees: 12 } } });
    expect((await pipeline.settled(created.runs[0].id)).status).toBe('completed');
    const enriched = (await reviewer.get(`/v1/cases/${created.id}`)).body;
    expect(enriched).toMatchObject({ assignee: 'queue:senior-review', tags: ['enriched', 'kyb'] });
    expect(enriched.blocks).toEqual([{ key: 'company', type: 'enriched_data', title: 'Company', data: { name: 'Acme', employees: 12 }, status: null, decision: null }]);
    expect(await auditTypes(created.id)).toEqual(['case_created', 'block_added', 'assignee_changed', 'tag_added', 'tag_added']);
    expectError(await reviewer.patch(`/v1/cases/${created.id}/blocks/company`, { data: {} }), 409, 'BLOCK_READ_ONLY');
  });

  it('checks roles: reviewers decide, pipelines set statuses', async () => {
    const { id } = await newCase();
    expectError(await pipeline.post(`/v1/cases/${id}/actions/approve`, {}), 403, 'FORBIDDEN');
    expectError(await reviewer.post(`/v1/cases/${id}/status`, { status: 'pending' }), 403, 'FORBIDDEN');
    expectError(await reviewer.post(`/v1/cases/${id}/assign`, { assignee: 5 }), 400, 'VALIDATION_FAILED');
  });

  it('refuses to change the audit trail, even through SQL', async () => {
    const { id } = await newCase();
    const dataSource = testApp.get(DataSource);
    await expect(dataSource.query(`UPDATE case_events SET reason = 'edited' WHERE case_id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`DELETE FROM case_events WHERE case_id = $1`, [id])).rejects.toThrow(/append-only/);
  });
});
