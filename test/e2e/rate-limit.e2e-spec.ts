import { E2eClient, expectError } from '../support/e2e-client';
import { startTestApp, TestApp } from '../support/test-app';

/** Each API key has its own budget of requests a minute; going over is a 429 in the error envelope. */
describe('rate limiting per key (HTTP)', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp('rate-limit', { env: { CASEFLOW_RATE_LIMIT: '5' } });
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('refuses a key over its budget with 429 while other keys go on', async () => {
    const first = new E2eClient(testApp, testApp.adminKey);
    const issued = await first.post('/v1/admin/api-keys', { role: 'reviewer', name: 'second' });
    expect(issued.status).toBe(201);
    const second = new E2eClient(testApp, issued.body.apiKey);

    // The key has used one request of five already (issuing the second key).
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await first.get(i % 2 ? '/v1/workflows' : '/v1/admin/api-keys')).status);
    expect(answers).toEqual([200, 200, 200, 200]);
    const over = await first.get('/v1/workflows');
    expectError(over, 429, 'TOO_MANY_REQUESTS');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);

    expect((await second.get('/v1/workflows')).status).toBe(200);
    // Health checks are never counted: probes must not be refused.
    for (let i = 0; i < 8; i++) expect((await testApp.http().get('/v1/health')).status).toBe(200);
  });
});
