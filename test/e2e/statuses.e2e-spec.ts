import type { RunBody } from '../support/api-client';
import { E2eClient, expectError } from '../support/e2e-client';
import { startTestApp, TestApp } from '../support/test-app';

/** Status sets (SPEC §5): the built-in ones, custom statuses and sets, and how workflows use them. */
describe('status sets', () => {
  let testApp: TestApp;
  let admin: E2eClient;
  let author: E2eClient;
  let pipeline: E2eClient;

  beforeAll(async () => {
    testApp = await startTestApp('statuses');
    admin = new E2eClient(testApp, testApp.adminKey);
    [author, pipeline] = await Promise.all([E2eClient.issue(testApp, 'author'), E2eClient.issue(testApp, 'pipeline')]);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  type SetView = { key: string; label: string; builtIn: boolean; actionTargets: Record<string, string>; statuses: Array<Record<string, unknown>> };
  const sets = async () => {
    const response = await admin.get('/v1/admin/statuses');
    expect(response.status).toBe(200);
    return Object.fromEntries((response.body.items as SetView[]).map((set) => [set.key, set]));
  };
  const status = (key: string, fields: { category?: string; terminal?: boolean; initial?: boolean; actions?: string[] } = {}) => ({
    key,
    label: expect.any(String),
    category: fields.category ?? expect.any(String),
    terminal: fields.terminal ?? false,
    initial: fields.initial ?? false,
    actions: fields.actions ?? [],
  });
  const decisions = ['approve', 'reject', 'request_reuploads'];

  const publish = (definition: object) => author.post('/v1/workflows', definition);
  const startCase = async (type: string, workflow: string) => {
    const response = await pipeline.post('/v1/cases', { type, workflow });
    expect(response.status).toBe(201);
    return { caseId: response.body.id as string, runId: response.body.runs[0].id as string, body: response.body };
  };

  it('lists the built-in sets `default` and `kyb` with their statuses and action targets', async () => {
    const all = await sets();
    expect(all.default).toEqual({
      key: 'default',
      label: expect.any(String),
      builtIn: true,
      actionTargets: { approve: 'approved', reject: 'declined', request_reuploads: 'pending' },
      statuses: [
        status('open', { category: 'open', initial: true }),
        status('pending', { category: 'pending', actions: decisions }),
        status('approved', { category: 'approved', terminal: true }),
        status('declined', { category: 'declined', terminal: true }),
      ],
    });
    expect(all.kyb).toEqual({
      key: 'kyb',
      label: expect.any(String),
      builtIn: true,
      actionTargets: { approve: 'approved', reject: 'rejected', request_reuploads: 'revisions' },
      statuses: [
        status('collection_flow', { initial: true }),
        status('pending_process', { actions: ['reject', 'request_reuploads'] }),
        status('pending_id_verification', { actions: ['reject', 'request_reuploads'] }),
        status('manual_review', { actions: decisions }),
        status('revisions', { actions: ['reject'] }),
        status('approved', { category: 'approved', terminal: true }),
        status('rejected', { category: 'declined', terminal: true }),
      ],
    });
  });

  it('adds a custom status to kyb, and creates a new set whose first status is its initial one', async () => {
    const ubo = await admin.post('/v1/admin/statuses', { set: 'kyb', key: 'awaiting_ubo', label: 'Awaiting UBO documents', category: 'pending', actions: ['reject'] });
    expect(ubo.status).toBe(201);
    expect(ubo.body).toEqual({ set: 'kyb', key: 'awaiting_ubo', label: 'Awaiting UBO documents', category: 'pending', terminal: false, initial: false, actions: ['reject'] });

    const targets = { approve: 'cleared', reject: 'confirmed_fraud', request_reuploads: 'triage' };
    const add = (key: string, category: string, extra: object = {}) =>
      admin.post('/v1/admin/statuses', { set: 'fraud', setLabel: 'Fraud alerts', actionTargets: targets, key, label: key, category, ...extra });
    const triage = await add('triage', 'open');
    expect(triage.status).toBe(201);
    expect(triage.body).toMatchObject({ set: 'fraud', key: 'triage', initial: true });
    for (const response of [
      await add('investigating', 'pending', { actions: ['approve', 'reject'] }),
      await add('cleared', 'approved', { terminal: true }),
      await add('confirmed_fraud', 'declined', { terminal: true }),
    ]) {
      expect(response.status).toBe(201);
      expect(response.body.initial).toBe(false);
    }

    const all = await sets();
    expect(all.kyb.statuses.map((s) => s.key)).toEqual(expect.arrayContaining(['manual_review', 'awaiting_ubo']));
    expect(all.kyb.statuses).toContainEqual(status('awaiting_ubo', { category: 'pending', actions: ['reject'] }));
    expect(all.fraud).toEqual({
      key: 'fraud',
      label: 'Fraud alerts',
      builtIn: false,
      actionTargets: targets,
      statuses: [
        status('triage', { category: 'open', initial: true }),
        status('investigating', { category: 'pending', actions: ['approve', 'reject'] }),
        status('cleared', { category: 'approved', terminal: true }),
        status('confirmed_fraud', { category: 'declined', terminal: true }),
      ],
    });
  });

  it('refuses a duplicate status (409) and bad input (400)', async () => {
    expectError(await admin.post('/v1/admin/statuses', { set: 'kyb', key: 'awaiting_ubo', label: 'Again', category: 'pending' }), 409, 'STATUS_EXISTS');
    const bad = await admin.post('/v1/admin/statuses', { set: 'kyb', key: 'Bad Key', label: 'x', category: 'limbo', actions: ['escalate'] });
    expectError(bad, 400, 'VALIDATION_FAILED');
    expect(new Set(bad.body.error.details.problems.map((p: { path: string }) => p.path))).toEqual(new Set(['/key', '/category', '/actions']));
  });

  it("refuses a new set's actionTargets that are not case actions leading to status keys", async () => {
    const response = await admin.post('/v1/admin/statuses', { set: 'odd', key: 'first', label: 'First', category: 'open', actionTargets: { approve: 42, escalate: 'first' } });
    expectError(response, 400, 'VALIDATION_FAILED');
    expect((await sets()).odd).toBeUndefined();
  });

  it('adds distinct statuses to a new set concurrently, all of them', async () => {
    const keys = ['s1', 's2', 's3', 's4', 's5', 's6'];
    const responses = await Promise.all(keys.map((key) => admin.post('/v1/admin/statuses', { set: 'parallel', key, label: key, category: 'open' })));
    expect(responses.map((r) => `${r.status} ${r.body.error?.code ?? r.body.key}`)).toEqual(keys.map((key) => `201 ${key}`));
    const created = (await sets()).parallel.statuses;
    expect(created.map((s) => s.key).sort()).toEqual(keys);
    expect(created.filter((s) => s.initial)).toHaveLength(1);
  });

  it('publishes a workflow that uses the custom status; names a status outside the set at its /params/status path', async () => {
    const definition = (key: string, middle: string) => ({
      key,
      name: key,
      caseType: 'company',
      statusSet: 'kyb',
      initial: 'collection',
      states: {
        collection: {
          steps: [
            { id: 'pending', action: 'case.updateStatus', params: { status: 'pending_process' } },
            { id: 'ubo', action: 'case.updateStatus', params: { status: middle, reason: 'UBO documents missing' } },
          ],
          on: { UBO_RECEIVED: 'approved' },
        },
        approved: { type: 'final', steps: [{ id: 'approve', action: 'case.updateStatus', params: { status: 'approved' } }] },
      },
    });
    const published = await publish(definition('kyb-ubo', 'awaiting_ubo'));
    expect(published.status).toBe(201);
    expect(published.body).toEqual({ key: 'kyb-ubo', version: 1 });

    for (const outsider of ['triage', 'open', 'no_such_status']) {
      const refused = await publish(definition(`kyb-${outsider.replace(/_/g, '-')}`, outsider));
      expectError(refused, 422, 'INVALID_DEFINITION');
      expect(refused.body.error.details.problems).toEqual([{ path: '/states/collection/steps/1/params/status', message: expect.stringContaining(`"${outsider}"`) }]);
    }
    const unknownSet = await publish({ ...definition('kyb-nowhere', 'awaiting_ubo'), statusSet: 'no-such-set' });
    expectError(unknownSet, 422, 'INVALID_DEFINITION');
    expect(unknownSet.body.error.details.problems).toEqual([{ path: '/statusSet', message: expect.any(String) }]);

    const { caseId, runId } = await startCase('company', 'kyb-ubo');
    await pipeline.waitForRun(runId, (run) => run.status === 'waiting');
    expect((await pipeline.get(`/v1/cases/${caseId}`)).body).toMatchObject({ status: 'awaiting_ubo', statusSet: 'kyb', availableActions: ['reject'] });
  });

  it('starts a case of a new set in that set, in its initial status', async () => {
    const published = await publish({
      key: 'fraud-alert',
      name: 'Fraud alert',
      statusSet: 'fraud',
      initial: 'triage',
      states: {
        triage: { on: { INVESTIGATE: 'investigating' } },
        investigating: { steps: [{ id: 'investigate', action: 'case.updateStatus', params: { status: 'investigating' } }], on: { CLEARED: 'cleared' } },
        cleared: { type: 'final', steps: [{ id: 'clear', action: 'case.updateStatus', params: { status: 'cleared' } }] },
      },
    });
    expect(published.status).toBe(201);
    const { runId, body } = await startCase('alert', 'fraud-alert');
    expect(body).toMatchObject({ status: 'triage', statusSet: 'fraud', availableActions: [] });

    const plain = await pipeline.post('/v1/cases', { type: 'alert', statusSet: 'fraud' });
    expect(plain.status).toBe(201);
    expect(plain.body).toMatchObject({ status: 'triage', statusSet: 'fraud', runs: [] });
    expectError(await pipeline.post('/v1/cases', { type: 'alert', workflow: 'fraud-alert', statusSet: 'kyb' }), 422, 'STATUS_SET_MISMATCH');

    expect((await pipeline.post(`/v1/runs/${runId}/events`, { type: 'INVESTIGATE' })).status).toBe(200);
    await pipeline.waitForRun(runId, (run) => run.status === 'waiting' && run.state === 'investigating');
    expect((await pipeline.get(`/v1/cases/${body.id}`)).body).toMatchObject({ status: 'investigating', availableActions: ['approve', 'reject'] });
  });

  it('refuses to delete a status in use (409 STATUS_IN_USE), its set\'s initial status or an action target; deletes an unused one (204)', async () => {
    const inUse = await admin.delete('/v1/admin/statuses/kyb/awaiting_ubo');
    expectError(inUse, 409, 'STATUS_IN_USE');
    expect(inUse.body.error.details).toEqual({ cases: 1 });
    expectError(await admin.delete('/v1/admin/statuses/fraud/investigating'), 409, 'STATUS_IN_USE');
    expectError(await admin.delete('/v1/admin/statuses/fraud/triage'), 409, 'STATUS_IS_INITIAL');
    expectError(await admin.delete('/v1/admin/statuses/fraud/cleared'), 409, 'STATUS_IS_ACTION_TARGET');
    expect((await sets()).kyb.statuses.map((s) => s.key)).toContain('awaiting_ubo');

    expect((await admin.post('/v1/admin/statuses', { set: 'kyb', key: 'dormant', label: 'Dormant', category: 'pending' })).status).toBe(201);
    const deleted = await admin.delete('/v1/admin/statuses/kyb/dormant');
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await sets()).kyb.statuses.map((s) => s.key)).not.toContain('dormant');
    expectError(await admin.delete('/v1/admin/statuses/kyb/dormant'), 404);
    expectError(await admin.delete('/v1/admin/statuses/no-such-set/dormant'), 404);
    const stale = await author.post('/v1/workflows/validate', {
      key: 'dormant',
      name: 'dormant',
      statusSet: 'kyb',
      initial: 'a',
      states: { a: { type: 'final', steps: [{ id: 'sleep', action: 'case.updateStatus', params: { status: 'dormant' } }] } },
    });
    expect(stale.body).toEqual({ valid: false, problems: [{ path: '/states/a/steps/0/params/status', message: expect.any(String) }] });
  });

  describe('case.updateStatus on a case in a terminal status', () => {
    const stepsOf = (run: RunBody) => Object.fromEntries(run.steps.map((step) => [step.stepId, step]));
    const closeThen = (key: string, steps: object[]) => ({
      key,
      name: key,
      initial: 'work',
      states: {
        work: { steps: [{ id: 'close', action: 'case.updateStatus', params: { status: 'approved', reason: 'auto-approved' } }, ...steps], next: 'done' },
        done: { type: 'final' },
      },
    });

    it('fails the step with CASE_TERMINAL, and with reopen: true succeeds', async () => {
      expect(
        (
          await publish(
            closeThen('reopen', [
              { id: 'touch', action: 'case.updateStatus', params: { status: 'pending' }, continueOnError: true },
              { id: 'reopen', action: 'case.updateStatus', params: { status: 'pending', reopen: true, reason: 'new evidence' } },
            ]),
          )
        ).status,
      ).toBe(201);
      const { caseId, runId } = await startCase('person', 'reopen');
      const run = await pipeline.waitForRun(runId, (r) => r.status !== 'running');

      expect(run).toMatchObject({ status: 'completed', state: 'done' });
      const steps = stepsOf(run);
      expect(steps.close).toMatchObject({ status: 'succeeded', attempts: 1 });
      expect(steps.touch).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'CASE_TERMINAL', message: expect.stringContaining('approved') } });
      expect(steps.reopen).toMatchObject({ status: 'succeeded', attempts: 1, error: null });
      expect(run.context.steps.touch.error).toMatchObject({ code: 'CASE_TERMINAL' });
      expect((await pipeline.get(`/v1/cases/${caseId}`)).body).toMatchObject({ status: 'pending', availableActions: decisions });

      const trail = (await pipeline.get(`/v1/cases/${caseId}/events`)).body.items;
      expect(trail.map((e: { from: string | null; to: string; reason: string | null }) => [e.from, e.to, e.reason])).toEqual([
        [null, 'open', null],
        ['open', 'approved', 'auto-approved'],
        ['approved', 'pending', 'new evidence'],
      ]);
    });

    it('without continueOnError the run fails at that step, and the case stays in its terminal status', async () => {
      expect((await publish(closeThen('close-then-touch', [{ id: 'touch', action: 'case.updateStatus', params: { status: 'pending' } }]))).status).toBe(201);
      const { caseId, runId } = await startCase('person', 'close-then-touch');
      const run = await pipeline.waitForRun(runId, (r) => r.status !== 'running');

      expect(run).toMatchObject({ status: 'failed', state: 'work', error: { code: 'CASE_TERMINAL', stepId: 'touch' } });
      expect(run.steps.map((step) => `${step.stepId}:${step.status}`)).toEqual(['close:succeeded', 'touch:failed']);
      expect((await pipeline.get(`/v1/cases/${caseId}`)).body).toMatchObject({ status: 'approved', availableActions: [] });
    });
  });
});
