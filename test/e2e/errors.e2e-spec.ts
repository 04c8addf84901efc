import { DataSource } from 'typeorm';
import { E2eClient, expectError } from '../support/e2e-client';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Bad input and refused operations (SPEC §6): always `{ error: { code, message, details? } }` with
 * a 4xx status, never a stack trace, never a 500. Keys and roles are in auth-and-errors.e2e-spec.ts;
 * hostile input (deep nesting, NUL characters, huge numbers) is in hostile-input.e2e-spec.ts.
 */
describe('error envelope and refused operations', () => {
  let testApp: TestApp;
  let author: E2eClient;
  let pipeline: E2eClient;
  let caseId: string;
  let runId: string;
  const unknownUuid = '6f1c0a52-3b1e-4c7e-9a55-0d6b8a8f1e21';

  beforeAll(async () => {
    testApp = await startTestApp('errors');
    [author, pipeline] = await Promise.all([E2eClient.issue(testApp, 'author'), E2eClient.issue(testApp, 'pipeline')]);
    const published = await author.post('/v1/workflows', {
      key: 'review',
      name: 'review',
      caseType: 'person',
      initial: 'review',
      states: {
        review: { steps: [{ id: 'to-review', action: 'case.updateStatus', params: { status: 'pending' } }], on: { CASE_APPROVED: 'approved' } },
        approved: { type: 'final', steps: [{ id: 'approve', action: 'case.updateStatus', params: { status: 'approved' } }] },
      },
    });
    expect(published.status).toBe(201);
    const created = await pipeline.post('/v1/cases', { type: 'person', workflow: 'review', data: { name: 'Jane' } });
    expect(created.status).toBe(201);
    caseId = created.body.id;
    runId = created.body.runs[0].id;
    await pipeline.waitForRun(runId, (run) => run.status === 'waiting');
  });

  afterAll(async () => {
    await testApp?.close();
  });

  describe('malformed and oversized bodies', () => {
    it('malformed JSON is 400 MALFORMED_JSON', async () => {
      expectError(await pipeline.postText('/v1/cases', '{"type": "person", '), 400, 'MALFORMED_JSON');
      expectError(await pipeline.postText(`/v1/runs/${runId}/events`, "{'type': 'X'}"), 400, 'MALFORMED_JSON');
      expectError(await author.postText('/v1/workflows/validate', '{"key": "x",}'), 400, 'MALFORMED_JSON');
    });

    it('a JSON body that is not an object is 400', async () => {
      expectError(await pipeline.postText('/v1/cases', 'null'), 400);
      expectError(await pipeline.postText('/v1/cases', '"person"'), 400);
      expectError(await pipeline.postText('/v1/cases', '[]'), 400);
    });

    it('a body over 1 MB is 413 PAYLOAD_TOO_LARGE; one just under it is accepted', async () => {
      const big = await pipeline.post('/v1/cases', { type: 'person', data: { blob: 'x'.repeat(1_100_000) } });
      expectError(big, 413, 'PAYLOAD_TOO_LARGE');
      const fits = await pipeline.post('/v1/cases', { type: 'person', data: { blob: 'x'.repeat(1_000_000) } });
      expect(fits.status).toBe(201);
      expectError(await author.post('/v1/workflows/validate', { key: 'x', description: 'y'.repeat(1_100_000) }), 413, 'PAYLOAD_TOO_LARGE');
    });
  });

  describe('DTO validation: 400 VALIDATION_FAILED with every problem', () => {
    const problemPaths = (response: { body: { error: { details: { problems: Array<{ path: string }> } } } }) =>
      [...new Set(response.body.error.details.problems.map((p) => p.path))].sort();

    it('unknown fields are refused', async () => {
      const kase = await pipeline.post('/v1/cases', { type: 'person', colour: 'red', blocks: [{ key: 'id', type: 'document', title: 'ID', extra: 1 }] });
      expectError(kase, 400, 'VALIDATION_FAILED');
      expect(problemPaths(kase)).toEqual(['/blocks/0/extra', '/colour']);
      expect(kase.body.error.details.problems).toEqual(expect.arrayContaining([{ path: '/colour', message: expect.stringMatching(/should not exist/) }]));

      const key = await new E2eClient(testApp, testApp.adminKey).post('/v1/admin/api-keys', { role: 'pipeline', name: 'x', scopes: ['all'] });
      expectError(key, 400, 'VALIDATION_FAILED');
      expect(problemPaths(key)).toEqual(['/scopes']);

      const event = await pipeline.post(`/v1/runs/${runId}/events`, { type: 'CASE_APPROVED', reason: 'top-level by mistake' });
      expectError(event, 400, 'VALIDATION_FAILED');
      expect(problemPaths(event)).toEqual(['/reason']);

      const run = await pipeline.post('/v1/runs', { caseId, workflow: 'review', priority: 1 });
      expectError(run, 400, 'VALIDATION_FAILED');
      expect(problemPaths(run)).toEqual(['/priority']);
    });

    it('wrong types are refused', async () => {
      const kase = await pipeline.post('/v1/cases', { type: 42, data: 'not an object', blocks: [{ key: 'id', type: 'selfie', title: 'ID' }] });
      expectError(kase, 400, 'VALIDATION_FAILED');
      expect(problemPaths(kase)).toEqual(['/blocks/0/type', '/data', '/type']);

      const key = await new E2eClient(testApp, testApp.adminKey).post('/v1/admin/api-keys', { role: 'root', name: 7 });
      expectError(key, 400, 'VALIDATION_FAILED');
      expect(problemPaths(key)).toEqual(['/name', '/role']);

      const run = await pipeline.post('/v1/runs', { caseId: 'not-a-uuid', workflow: ['review'] });
      expectError(run, 400, 'VALIDATION_FAILED');
      expect(problemPaths(run)).toEqual(['/caseId', '/workflow']);

      const event = await pipeline.post(`/v1/runs/${runId}/events`, { type: 12 });
      expectError(event, 400, 'VALIDATION_FAILED');
      expect(problemPaths(event)).toEqual(['/type']);

      const page = await pipeline.get(`/v1/cases/${caseId}/events?limit=lots`);
      expectError(page, 400, 'VALIDATION_FAILED');
      expect(problemPaths(page)).toEqual(['/limit']);
      expectError(await pipeline.get(`/v1/cases/${caseId}/events?cursor=abc`), 400, 'INVALID_CURSOR');
      expectError(await author.get('/v1/workflows/review/versions/latest'), 400);
    });

    it('missing required fields are refused', async () => {
      const kase = await pipeline.post('/v1/cases', {});
      expectError(kase, 400, 'VALIDATION_FAILED');
      expect(problemPaths(kase)).toEqual(['/type']);
      const event = await pipeline.post(`/v1/runs/${runId}/events`, {});
      expect(problemPaths(event)).toEqual(['/type']);
    });
  });

  describe('not found', () => {
    it('a non-uuid or unknown id of a case or run is 404', async () => {
      for (const id of ['not-a-uuid', '1', "1' OR '1'='1", unknownUuid]) {
        const encoded = encodeURIComponent(id);
        expectError(await pipeline.get(`/v1/cases/${encoded}`), 404, 'CASE_NOT_FOUND');
        expectError(await pipeline.get(`/v1/cases/${encoded}/events`), 404, 'CASE_NOT_FOUND');
        expectError(await pipeline.get(`/v1/runs/${encoded}`), 404, 'RUN_NOT_FOUND');
        expectError(await pipeline.post(`/v1/runs/${encoded}/events`, { type: 'CASE_APPROVED' }), 404, 'RUN_NOT_FOUND');
        expectError(await pipeline.post(`/v1/runs/${encoded}/retry`), 404, 'RUN_NOT_FOUND');
      }
      expectError(await pipeline.post('/v1/runs', { caseId: unknownUuid, workflow: 'review' }), 404, 'CASE_NOT_FOUND');
      expectError(await pipeline.post('/v1/cases', { type: 'person', workflow: 'no-such-workflow' }), 404, 'WORKFLOW_NOT_FOUND');
      expectError(await author.get('/v1/workflows/no-such-workflow'), 404, 'WORKFLOW_NOT_FOUND');
    });

    it('an unknown route is 404 ROUTE_NOT_FOUND, with or without a key', async () => {
      expectError(await testApp.http().get('/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND');
      expectError(await pipeline.get('/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND');
      expectError(await pipeline.post(`/v1/cases/${caseId}/teleport`, {}), 404, 'ROUTE_NOT_FOUND');
      expectError(await pipeline.delete(`/v1/cases/${caseId}`), 404, 'ROUTE_NOT_FOUND');
      expectError(await testApp.http().get('/cases'), 404, 'ROUTE_NOT_FOUND');
    });
  });

  describe('domain refusals', () => {
    it('an event name reserved for the engine is 400 RESERVED_EVENT and is not applied', async () => {
      for (const type of ['caseflow.step.succeeded', 'caseflow.step.failed', 'caseflow.run.retry']) {
        expectError(await pipeline.post(`/v1/runs/${runId}/events`, { type, payload: { stepId: 'to-review' } }), 400, 'RESERVED_EVENT');
      }
      const run = await pipeline.get(`/v1/runs/${runId}`);
      expect(run.body).toMatchObject({ status: 'waiting', state: 'review', events: [] });
    });

    it('starting a run on a case that has an active run is 409 CASE_HAS_ACTIVE_RUN', async () => {
      const response = await pipeline.post('/v1/runs', { caseId, workflow: 'review' });
      expectError(response, 409, 'CASE_HAS_ACTIVE_RUN');
      expect(response.body.error.details).toEqual({ runId });
      expect((await pipeline.get(`/v1/cases/${caseId}`)).body.runs).toHaveLength(1);
    });

    it('an event the state does not accept is 409 EVENT_NOT_ACCEPTED, recorded and changing nothing', async () => {
      const response = await pipeline.post(`/v1/runs/${runId}/events`, { type: 'COLLECTION_COMPLETED' });
      expectError(response, 409, 'EVENT_NOT_ACCEPTED');
      expect(response.body.error.details).toEqual({ state: 'review', event: 'COLLECTION_COMPLETED', acceptedEvents: ['CASE_APPROVED'] });
      const run = await pipeline.get(`/v1/runs/${runId}`);
      expect(run.body).toMatchObject({ status: 'waiting', state: 'review', events: [expect.objectContaining({ type: 'COLLECTION_COMPLETED', accepted: false })] });
      expect((await pipeline.get(`/v1/cases/${caseId}`)).body.status).toBe('pending');
    });

    it('an event to an ended run is 409 RUN_NOT_ACTIVE, and then a new run may start', async () => {
      expect((await pipeline.post(`/v1/runs/${runId}/events`, { type: 'CASE_APPROVED' })).status).toBe(200);
      await pipeline.waitForRun(runId, (run) => run.status === 'completed');
      expectError(await pipeline.post(`/v1/runs/${runId}/events`, { type: 'CASE_APPROVED' }), 409, 'RUN_NOT_ACTIVE');
      expectError(await pipeline.post(`/v1/runs/${runId}/retry`), 409, 'RUN_NOT_FAILED');
      const again = await pipeline.post('/v1/runs', { caseId, workflow: 'review' });
      expect(again.status).toBe(201);
      expect(again.body).toMatchObject({ caseId, workflow: 'review', version: 1 });
    });

    it('a case whose type the workflow does not run on is 422 and is not created', async () => {
      const response = await pipeline.post('/v1/cases', { type: 'company', workflow: 'review', data: { marker: 'type-mismatch' } });
      expectError(response, 422, 'CASE_TYPE_MISMATCH');
      const rows = await testApp.get(DataSource).query(`SELECT count(*)::int AS count FROM cases WHERE data->>'marker' = 'type-mismatch'`);
      expect(rows).toEqual([{ count: 0 }]);
      const duplicateBlocks = await pipeline.post('/v1/cases', { type: 'person', blocks: [1, 2].map(() => ({ key: 'id', type: 'document', title: 'ID' })) });
      expectError(duplicateBlocks, 422, 'DUPLICATE_BLOCK_KEY');
      expectError(await pipeline.post('/v1/cases', { type: 'person', statusSet: 'no-such-set' }), 422, 'UNKNOWN_STATUS_SET');
    });
  });
});
