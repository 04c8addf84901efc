import { freePort } from '@app/common';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Probes and scrapes while Redis does not answer. The queue's connection waits for Redis to come
 * back rather than failing a command, so whatever asks it must give up on its own. Redis here is
 * a port nothing listens on; PostgreSQL is the suite's real one.
 */
describe('readiness and metrics while Redis is away', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp('redis_away', { worker: false, env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}` } });
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('GET /v1/health/ready answers 503 naming Redis, within seconds', async () => {
    const started = Date.now();
    const response = await testApp.http().get('/v1/health/ready');
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(JSON.stringify(response.body.error.details)).toContain('redis');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("GET /metrics answers with the process's metrics, without the queue's series", async () => {
    const response = await testApp.http().get('/metrics');
    expect(response.status).toBe(200);
    expect(response.text).toContain('caseflow_process_cpu_seconds_total');
    expect(response.text).not.toMatch(/^caseflow_queue_jobs\{/m);
  });
});
