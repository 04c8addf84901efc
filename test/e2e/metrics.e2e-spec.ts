import { twoStepWorkflow } from '../support/workflow-fixtures';
import { E2eClient } from '../support/e2e-client';
import { parseSamples, sampleValue as value } from '../support/prometheus-text';
import { startTestApp, TestApp } from '../support/test-app';

/** `GET /metrics` (SPEC §6): Prometheus metrics outside /v1, for scrapers that carry no key. */
describe('GET /metrics', () => {
  let testApp: TestApp;
  let pipeline: E2eClient;

  beforeAll(async () => {
    testApp = await startTestApp('metrics');
    pipeline = await E2eClient.issue(testApp, 'pipeline');
    const author = await E2eClient.issue(testApp, 'author');
    expect((await author.post('/v1/workflows', twoStepWorkflow)).status).toBe(201);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  const scrape = async () => {
    const response = await testApp.http().get('/metrics');
    expect(response.status).toBe(200);
    return { response, samples: parseSamples(response.text) };
  };

  it('answers without a key, in the Prometheus text format, uncached', async () => {
    const { response } = await scrape();
    // Express puts its charset before prom-client's version; Prometheus reads the parameters in any order.
    expect(response.headers['content-type']).toMatch(/^text\/plain;/);
    expect(response.headers['content-type']).toContain('version=0.0.4');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.text).toContain('# TYPE caseflow_http_request_duration_seconds histogram');
  });

  it("carries the process's own figures: CPU, memory, event-loop delay, garbage collection", async () => {
    const { samples } = await scrape();
    for (const name of ['caseflow_process_cpu_seconds_total', 'caseflow_process_resident_memory_bytes', 'caseflow_nodejs_eventloop_lag_p99_seconds', 'caseflow_nodejs_heap_size_used_bytes']) {
      expect({ name, found: samples.some((sample) => sample.name === name) }).toEqual({ name, found: true });
    }
  });

  it('times requests by route template and status class, never by url', async () => {
    const created = await pipeline.post('/v1/cases', { type: 'person', data: { name: 'Ada' } });
    expect(created.status).toBe(201);
    expect((await pipeline.get(`/v1/cases/${created.body.id}`)).status).toBe(200);
    expect((await pipeline.get('/v1/no-such-route')).status).toBe(404);

    const { samples } = await scrape();
    const count = (labels: Record<string, string>) => value(samples, 'caseflow_http_request_duration_seconds_count', labels);
    expect(count({ method: 'POST', route: '/v1/cases', status: '2xx' })).toBeGreaterThanOrEqual(1);
    expect(count({ method: 'GET', route: '/v1/cases/:id', status: '2xx' })).toBeGreaterThanOrEqual(1);
    expect(count({ method: 'GET', route: 'unmatched', status: '4xx' })).toBeGreaterThanOrEqual(1);
    // No case id, key or other request data in any label; scrapes themselves are not timed.
    const labelValues = samples.flatMap((sample) => Object.values(sample.labels));
    expect(labelValues.filter((v) => /[0-9a-f]{8}-[0-9a-f]{4}-/.test(v) || v.includes(pipeline.key) || v.includes('no-such-route'))).toEqual([]);
    expect(count({ route: '/metrics' })).toBe(0);
  });

  it("counts the worker's step attempts and the batches that committed them, and the steps queue by state", async () => {
    const before = (await scrape()).samples;
    const created = await pipeline.post('/v1/cases', { type: 'person', workflow: twoStepWorkflow.key });
    expect(created.status).toBe(201);
    const run = await pipeline.waitForRun(created.body.runs[0].id, (candidate) => candidate.status === 'completed');
    expect(run.steps.map((step) => step.status)).toEqual(['succeeded', 'succeeded']);
    const { samples } = await scrape();

    const grew = (name: string, labels: Record<string, string>) => value(samples, name, labels) - value(before, name, labels);
    expect(grew('caseflow_step_attempts_total', { outcome: 'succeeded' })).toBe(2);
    expect(grew('caseflow_step_attempt_duration_seconds_count', {})).toBe(2);
    // Each step is committed by a batch of the worker; a batch also records the attempt's start.
    expect(grew('caseflow_batch_size_count', { batch: 'steps' })).toBeGreaterThanOrEqual(2);
    expect(grew('caseflow_batch_size_sum', { batch: 'steps' })).toBeGreaterThanOrEqual(2);
    expect(grew('caseflow_batch_duration_seconds_count', { batch: 'steps', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(value(samples, 'caseflow_batch_duration_seconds_count', { outcome: 'error' })).toBe(0);
    const states = samples.filter((sample) => sample.name === 'caseflow_queue_jobs').map((sample) => sample.labels.state);
    expect(states.sort()).toEqual(['active', 'delayed', 'failed', 'waiting']);
  });

  it("counts a pipeline's status updates in their own batch", async () => {
    const before = (await scrape()).samples;
    const created = await pipeline.post('/v1/cases', { type: 'person' });
    expect((await pipeline.post(`/v1/cases/${created.body.id}/status`, { status: 'pending', reason: 'metrics' })).status).toBe(200);
    const { samples } = await scrape();
    expect(value(samples, 'caseflow_batch_size_sum', { batch: 'status_updates' }) - value(before, 'caseflow_batch_size_sum', { batch: 'status_updates' })).toBe(1);
  });

  it('is served outside /v1 only', async () => {
    expect((await testApp.http().get('/v1/metrics')).status).toBe(404);
  });
});
