import type { RunBody } from '../support/api-client';
import { E2eClient, expectError, TimelineStep } from '../support/e2e-client';
import { kybDefinition } from '../support/workflow-fixtures';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The README walkthrough as a client does it: an admin issues keys, an author validates and
 * publishes a KYB definition, a pipeline opens a case and drives its run to a decision. The steps
 * depend on each other, so they share state and run in order.
 */
describe('walkthrough: from an admin key to a decided KYB case', () => {
  let testApp: TestApp;
  let author: E2eClient;
  let pipeline: E2eClient;
  const key = 'kyb-walkthrough';
  const definition = kybDefinition(key);
  let caseId: string;
  let runId: string;

  const broken = {
    key: 'kyb-broken',
    name: 'broken',
    statusSet: 'kyb',
    // no `initial`
    states: {
      collection: {
        steps: [
          { id: 'mark', action: 'case.updateStatus', params: { status: 'collection_flow' } },
          { id: 'mark', action: 'case.teleport', params: {} },
        ],
        on: {
          COLLECTION_COMPLETED: 'nowhere',
          RISK_CHANGED: { target: 'review', guard: { frobnicate: [{ var: 'case.data.riskScore' }, 80] } },
        },
      },
      review: {
        steps: [{ id: 'to-review', action: 'case.updateStatus', params: { status: 'under_the_rug' } }],
        on: { CASE_APPROVED: 'done' },
      },
      done: { type: 'final' },
    },
  };

  beforeAll(async () => {
    testApp = await startTestApp('walkthrough');
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('an admin issues an author key and a pipeline key, each shown once with its role', async () => {
    const admin = new E2eClient(testApp, testApp.adminKey);
    const issued = await Promise.all(['author', 'pipeline'].map((role) => admin.post('/v1/admin/api-keys', { role, name: `${role} key` })));
    for (const [i, role] of ['author', 'pipeline'].entries()) {
      expect(issued[i].status).toBe(201);
      expect(issued[i].body).toEqual({ id: expect.any(String), name: `${role} key`, role, apiKey: expect.any(String) });
    }
    expect(issued[0].body.apiKey).not.toBe(issued[1].body.apiKey);
    author = new E2eClient(testApp, issued[0].body.apiKey, issued[0].body.id);
    pipeline = new E2eClient(testApp, issued[1].body.apiKey, issued[1].body.id);

    const listed = await admin.get('/v1/admin/api-keys');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual(expect.arrayContaining([author.keyId, pipeline.keyId]));
    expect(JSON.stringify(listed.body)).not.toContain(author.key);
  });

  it('serves the definition JSON Schema without a key', async () => {
    const response = await testApp.http().get('/v1/workflows/schema');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['key', 'name', 'initial', 'states']),
      properties: expect.objectContaining({ key: expect.any(Object), states: expect.any(Object), statusSet: expect.any(Object) }),
    });
  });

  it('validate lists every problem of a broken definition with its JSON pointer, and stores nothing', async () => {
    const response = await author.post('/v1/workflows/validate', broken);
    expect(response.status).toBe(200);
    expect(response.body.valid).toBe(false);
    const byPath = Object.fromEntries((response.body.problems as Array<{ path: string; message: string }>).map((p) => [p.path, p.message]));
    expect(byPath).toEqual({
      '/initial': expect.stringMatching(/required/),
      '/states/collection/steps/1/id': expect.stringMatching(/duplicate step id "mark"/),
      '/states/collection/steps/1/action': expect.stringMatching(/unknown action "case.teleport"/),
      '/states/collection/on/COLLECTION_COMPLETED': expect.stringMatching(/unknown target state "nowhere"/),
      '/states/collection/on/RISK_CHANGED/guard': expect.stringMatching(/frobnicate/),
      '/states/review/steps/0/params/status': expect.stringMatching(/under_the_rug.*kyb/),
    });
    expect(response.body.problems).toHaveLength(6);
    expectError(await author.get('/v1/workflows/kyb-broken'), 404, 'WORKFLOW_NOT_FOUND');
  });

  it('validate says a good definition is valid', async () => {
    const response = await author.post('/v1/workflows/validate', definition);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ valid: true, problems: [] });
  });

  it('publishes a valid definition as version 1, refuses the broken one with 422, and stores version 2 on republish', async () => {
    const first = await author.post('/v1/workflows', definition);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ key, version: 1 });

    const refused = await author.post('/v1/workflows', broken);
    expectError(refused, 422, 'INVALID_DEFINITION');
    expect(refused.body.error.details.problems).toHaveLength(6);
    expect(refused.body.error.details.problems).toEqual(expect.arrayContaining([{ path: '/initial', message: expect.any(String) }]));
    expectError(await author.get('/v1/workflows/kyb-broken'), 404, 'WORKFLOW_NOT_FOUND');

    const second = await author.post('/v1/workflows', definition);
    expect(second.status).toBe(201);
    expect(second.body).toEqual({ key, version: 2 });
  });

  it('lists the workflow, shows its versions and serves version 1 as published', async () => {
    const list = await author.get('/v1/workflows');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ key, name: 'KYB onboarding', latestVersion: 2 })]);

    const workflow = await author.get(`/v1/workflows/${key}`);
    expect(workflow.status).toBe(200);
    expect(workflow.body).toMatchObject({ key, latestVersion: 2, definition });
    expect(workflow.body.versions).toEqual([
      expect.objectContaining({ version: 1, publishedAt: expect.any(String), publishedBy: `key:${author.keyId}` }),
      expect.objectContaining({ version: 2, publishedAt: expect.any(String) }),
    ]);

    const v1 = await author.get(`/v1/workflows/${key}/versions/1`);
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({ key, version: 1, definition });
    expectError(await author.get(`/v1/workflows/${key}/versions/3`), 404);
  });

  it('a pipeline creates a KYB case that starts the workflow in collection_flow', async () => {
    const data = { company: { name: 'Acme Trading Ltd', number: '12345678', country: 'HK' }, riskScore: 20 };
    const response = await pipeline.post('/v1/cases', { type: 'kyb', workflow: key, data });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'kyb',
      status: 'collection_flow',
      statusSet: 'kyb',
      availableActions: [],
      data,
      blocks: [],
      version: 1,
      parentId: null,
      runs: [{ id: expect.any(String), workflow: key, version: 2, status: expect.stringMatching(/^(running|waiting)$/), state: 'collection' }],
    });
    caseId = response.body.id;
    runId = response.body.runs[0].id;
    const waiting = await pipeline.waitForRun(runId, (run) => run.status === 'waiting');
    expect(waiting.state).toBe('collection');
  });

  it('COLLECTION_COMPLETED moves the run through processing to wait in review, with the case in manual_review', async () => {
    const sent = await pipeline.post(`/v1/runs/${runId}/events`, { type: 'COLLECTION_COMPLETED' });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ id: runId, state: 'processing' });

    const run = await pipeline.waitForRun(runId, (r) => r.status === 'waiting' && r.state === 'review');
    expect(run.states.map((s) => s.state)).toEqual(['collection', 'processing', 'review']);

    const kase = await pipeline.get(`/v1/cases/${caseId}`);
    expect(kase.status).toBe(200);
    expect(kase.body).toMatchObject({ status: 'manual_review', statusSet: 'kyb', version: 3 });
    expect(kase.body.availableActions).toEqual(['approve', 'reject', 'request_reuploads']);
    expect(kase.body.runs).toEqual([{ id: runId, workflow: key, version: 2, status: 'waiting', state: 'review' }]);
  });

  it('CASE_APPROVED with a reason completes the run and approves the case', async () => {
    const sent = await pipeline.post(`/v1/runs/${runId}/events`, { type: 'CASE_APPROVED', payload: { reason: 'registry and UBOs verified' } });
    expect(sent.status).toBe(200);
    const run = await pipeline.waitForRun(runId, (r) => r.status === 'completed');
    expect(run.state).toBe('approved');

    const kase = await pipeline.get(`/v1/cases/${caseId}`);
    expect(kase.body).toMatchObject({ status: 'approved', availableActions: [], runs: [expect.objectContaining({ id: runId, status: 'completed' })] });
  });

  it('the run timeline has the states in order, every step succeeded once with timestamps, and the events', async () => {
    const response = await pipeline.get(`/v1/runs/${runId}`);
    expect(response.status).toBe(200);
    const run = response.body as Omit<RunBody, 'steps'> & { steps: TimelineStep[]; endedAt: string | null };
    expect(run).toMatchObject({ id: runId, caseId, workflow: key, version: 2, status: 'completed', state: 'approved', error: null });
    expect(run.endedAt).toEqual(expect.any(String));
    expect(run.states.map((s) => s.state)).toEqual(['collection', 'processing', 'review', 'approved']);
    expect(run.steps.map((s) => `${s.state}/${s.stepId}`)).toEqual(['collection/mark', 'processing/pending', 'review/to-review', 'approved/approve']);
    for (const step of run.steps) {
      expect(step).toMatchObject({ status: 'succeeded', attempts: 1, error: null, action: 'case.updateStatus' });
      expect(Date.parse(step.startedAt as string)).toBeLessThanOrEqual(Date.parse(step.finishedAt as string));
      expect(step.durationMs).toBeGreaterThanOrEqual(0);
    }
    const starts = run.steps.map((s) => Date.parse(s.startedAt as string));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    expect(run.events).toEqual([
      { type: 'COLLECTION_COMPLETED', at: expect.any(String), accepted: true },
      { type: 'CASE_APPROVED', at: expect.any(String), accepted: true },
    ]);
  });

  it('the case audit trail lists every change in order, with actor, source, from, to and reason', async () => {
    const response = await pipeline.get(`/v1/cases/${caseId}/events`);
    expect(response.status).toBe(200);
    const step = (id: string) => `run:${runId}/step:${id}`;
    expect(response.body.nextCursor).toBeNull();
    expect(response.body.items).toEqual([
      expect.objectContaining({ type: 'case_created', actor: `key:${pipeline.keyId}`, source: 'pipeline', from: null, to: 'collection_flow' }),
      expect.objectContaining({ type: 'status_changed', actor: step('pending'), source: 'workflow', from: 'collection_flow', to: 'pending_process', reason: 'collection completed' }),
      expect.objectContaining({ type: 'status_changed', actor: step('to-review'), source: 'workflow', from: 'pending_process', to: 'manual_review', reason: 'needs a reviewer' }),
      expect.objectContaining({ type: 'status_changed', actor: step('approve'), source: 'workflow', from: 'manual_review', to: 'approved', reason: 'registry and UBOs verified' }),
    ]);
    const times = response.body.items.map((item: { at: string }) => Date.parse(item.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const paged = await pipeline.get(`/v1/cases/${caseId}/events?limit=3`);
    expect(paged.body.items).toHaveLength(3);
    const rest = await pipeline.get(`/v1/cases/${caseId}/events?limit=3&cursor=${paged.body.nextCursor}`);
    expect(rest.body).toEqual({ items: [response.body.items[3]], nextCursor: null });
  });
});
