import { freePort } from '@app/common';
import { ApiClient } from '../support/api-client';
import { parseSamples, sampleValue } from '../support/prometheus-text';
import { startTestApp, TestApp } from '../support/test-app';
import { killAllWorkers, spawnWorker } from '../support/worker-process';
import { twoStepWorkflow } from '../support/workflow-fixtures';

/**
 * A worker started on its own (`npm run start:worker`, here a real process from source) serves
 * its metrics on WORKER_METRICS_PORT, against the real PostgreSQL and Redis of the suite.
 */
describe('worker metrics (WORKER_METRICS_PORT)', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp('worker-metrics', { worker: false });
    await ApiClient.publish(testApp, twoStepWorkflow);
  });

  afterAll(async () => {
    await killAllWorkers();
    await testApp?.close();
  });

  it("counts the steps it ran, serves nothing else, and its port is closed once it has stopped", async () => {
    const port = await freePort();
    const worker = spawnWorker(testApp.resources, { WORKER_METRICS_PORT: String(port) });
    await worker.started;
    expect(worker.output.join('\n')).toContain(`Worker metrics on http://localhost:${port}/metrics`);
    const pipeline = await ApiClient.withRole(testApp, 'pipeline');
    const created = await pipeline.post('/v1/cases', { type: 'person', workflow: twoStepWorkflow.key });
    expect(created.status).toBe(201);
    await pipeline.waitForRun(created.body.runs[0].id, (run) => run.status === 'completed', 30_000);

    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const samples = parseSamples(await response.text());
    expect(sampleValue(samples, 'caseflow_step_attempts_total', { outcome: 'succeeded' })).toBe(2);
    expect(sampleValue(samples, 'caseflow_batch_size_count', { batch: 'steps' })).toBeGreaterThanOrEqual(2);
    expect(samples.some((sample) => sample.name === 'caseflow_process_resident_memory_bytes')).toBe(true);

    const other = await fetch(`http://127.0.0.1:${port}/`);
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');

    await worker.kill('SIGTERM');
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });
});
