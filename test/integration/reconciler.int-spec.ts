import { DataSource } from 'typeorm';
import { StepReconcilerService } from '@app/runs';
import { StepProcessor } from '../../apps/worker/src/step.processor';
import { ApiClient } from '../support/api-client';
import { deleteRedisKeys } from '../support/test-environment';
import { startTestApp, TestApp } from '../support/test-app';
import { twoStepWorkflow } from '../support/workflow-fixtures';

/** Redis carries work, PostgreSQL keeps it: emptying Redis loses no run and doubles no effect. */
describe('step reconciler (PostgreSQL + Redis)', () => {
  let testApp: TestApp;
  let pipeline: ApiClient;

  beforeAll(async () => {
    testApp = await startTestApp('reconciler');
    pipeline = await ApiClient.withRole(testApp, 'pipeline');
    await ApiClient.publish(testApp, twoStepWorkflow);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('re-enqueues the steps of runs whose jobs an emptied Redis lost, and they complete once', async () => {
    const worker = testApp.get(StepProcessor).worker;
    await worker.pause();
    const created = await Promise.all(Array.from({ length: 6 }, () => pipeline.post('/v1/cases', { type: 'person', workflow: 'two-steps' })));
    const runIds = created.map((response) => response.body.runs[0].id as string);

    const deleted = await deleteRedisKeys(testApp.resources.redisUrl, `${testApp.resources.queuePrefix}:steps:*`);
    expect(deleted).toBeGreaterThan(0);
    const reconciler = testApp.get(StepReconcilerService);
    expect(await reconciler.reconcile({ olderThanMs: 0 })).toEqual({ checked: 6, requeued: 6 });
    // A second pass finds every job in place and adds nothing.
    expect(await reconciler.reconcile({ olderThanMs: 0 })).toEqual({ checked: 6, requeued: 0 });

    worker.resume();
    for (const runId of runIds) expect((await pipeline.settled(runId)).status).toBe('completed');
    const counts: Array<{ count: number }> = await testApp
      .get(DataSource)
      .query(`SELECT count(*)::int AS count FROM case_events WHERE type = 'status_changed' GROUP BY case_id`);
    expect(counts).toEqual(Array(6).fill({ count: 2 }));
  });
});
