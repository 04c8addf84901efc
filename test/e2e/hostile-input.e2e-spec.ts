import { E2eClient, expectError, oneOf } from '../support/e2e-client';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Input a client can send that is valid JSON and within the size limit, but that the database or
 * the request pipeline cannot take as is: SPEC §6 wants it refused as bad input (400/413/422 in
 * the error envelope), never answered with a 500.
 */
describe('hostile input is bad input, never a 500', () => {
  let testApp: TestApp;
  let admin: E2eClient;
  let pipeline: E2eClient;
  let caseId: string;
  let runId: string;
  const badInput = { status: oneOf(400, 413, 422), code: expect.any(String) };

  beforeAll(async () => {
    testApp = await startTestApp('hostile');
    admin = new E2eClient(testApp, testApp.adminKey);
    pipeline = await E2eClient.issue(testApp, 'pipeline');
    const published = await admin.post('/v1/workflows', {
      key: 'gate',
      name: 'gate',
      initial: 'wait',
      states: { wait: { on: { GO: 'done' } }, done: { type: 'final' } },
    });
    expect(published.status).toBe(201);
    const created = await pipeline.post('/v1/cases', { type: 'person', workflow: 'gate' });
    expect(created.status).toBe(201);
    caseId = created.body.id;
    runId = created.body.runs[0].id;
    await pipeline.waitForRun(runId, (run) => run.status === 'waiting');
  });

  afterAll(async () => {
    await testApp?.close();
  });

  /** Status and code of each answer, compared at once so a failure lists every route that 500s. */
  const outcomes = (answers: Record<string, { status: number; body: { error?: { code?: string } } }>) =>
    Object.fromEntries(Object.entries(answers).map(([route, response]) => [route, { status: response.status, code: response.body?.error?.code }]));
  const allBadInput = (answers: Record<string, unknown>) => Object.fromEntries(Object.keys(answers).map((route) => [route, badInput]));

  it('deeply nested JSON (10,000 levels, about 60 KB) in free-form fields', async () => {
    const depth = 10_000;
    const nested = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const answers = {
      'POST /v1/cases data': await pipeline.postText('/v1/cases', `{"type":"person","data":${nested}}`),
      'POST /v1/runs/:id/events payload': await pipeline.postText(`/v1/runs/${runId}/events`, `{"type":"GO","payload":${nested}}`),
      'POST /v1/workflows/validate params': await admin.postText(
        '/v1/workflows/validate',
        `{"key":"x","name":"x","initial":"a","states":{"a":{"type":"final","steps":[{"id":"s","action":"case.updateStatus","params":${nested}}]}}}`,
      ),
    };
    expect(outcomes(answers)).toEqual(allBadInput(answers));
    for (const response of Object.values(answers)) expect(response.body.error.code).toBe('NESTING_TOO_DEEP');
    for (const response of Object.values(answers)) if (response.status >= 400) expectError(response, response.status);
    expect((await pipeline.get(`/v1/runs/${runId}`)).body).toMatchObject({ status: 'waiting', events: [] });
  });

  it('a NUL character (\\u0000) in JSON data and event payloads', async () => {
    const answers = {
      'POST /v1/cases data': await pipeline.post('/v1/cases', { type: 'person', data: { name: 'Jane\u0000Doe' } }),
      'POST /v1/cases block data': await pipeline.post('/v1/cases', { type: 'person', blocks: [{ key: 'id', type: 'document', title: 'ID', data: { n: '\u0000' } }] }),
      'POST /v1/runs/:id/events payload': await pipeline.post(`/v1/runs/${runId}/events`, { type: 'GO', payload: { note: 'a\u0000b' } }),
    };
    expect(outcomes(answers)).toEqual(allBadInput(answers));
    for (const response of Object.values(answers)) expectError(response, response.status);
    expect((await pipeline.get(`/v1/runs/${runId}`)).body).toMatchObject({ status: 'waiting', events: [] });
  });

  it('a NUL character (\\u0000) in text fields', async () => {
    const wait = { wait: { on: { GO: 'done' } }, done: { type: 'final' } };
    const answers = {
      'POST /v1/admin/api-keys name': await admin.post('/v1/admin/api-keys', { role: 'reviewer', name: 'night\u0000shift' }),
      'POST /v1/admin/organizations name': await admin.post('/v1/admin/organizations', { name: 'Acme\u0000', slug: 'acme' }),
      'POST /v1/admin/statuses label': await admin.post('/v1/admin/statuses', { set: 'kyb', key: 'held', label: 'Held\u0000', category: 'pending' }),
      'POST /v1/workflows name': await admin.post('/v1/workflows', { key: 'nul-name', name: 'gate\u0000', initial: 'wait', states: wait }),
      'POST /v1/cases workflow': await pipeline.post('/v1/cases', { type: 'person', workflow: 'gate\u0000' }),
      'POST /v1/cases statusSet': await pipeline.post('/v1/cases', { type: 'person', statusSet: 'kyb\u0000' }),
      'POST /v1/runs workflow': await pipeline.post('/v1/runs', { caseId, workflow: 'gate\u0000' }),
    };
    expect(outcomes(answers)).toEqual(allBadInput(answers));
    for (const response of Object.values(answers)) expectError(response, response.status);
  });

  it('a workflow version number beyond the integer range', async () => {
    const answers = {
      'GET /v1/workflows/:key/versions/99999999999': await admin.get('/v1/workflows/gate/versions/99999999999'),
      'GET /v1/workflows/:key/versions/-99999999999': await admin.get('/v1/workflows/gate/versions/-99999999999'),
    };
    // No such version can exist: 404 is as right as 400 here.
    expect(outcomes(answers)).toEqual(
      Object.fromEntries(Object.keys(answers).map((route) => [route, { status: oneOf(400, 404), code: expect.any(String) }])),
    );
    for (const response of Object.values(answers)) expectError(response, response.status);
  });

  it('a lone UTF-16 surrogate in data is refused as a wrong value', async () => {
    const response = await pipeline.post('/v1/cases', { type: 'person', data: { name: '\ud800' } });
    expectError(response, response.status);
    expect(outcomes({ case: response })).toEqual({ case: badInput });
  });
});
