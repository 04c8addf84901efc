import { DataSource } from 'typeorm';
import { API_KEY_CACHE_TTL_MS } from '@app/auth';
import { E2eClient, expectError } from '../support/e2e-client';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Who may do what (SPEC §1): no or a bad key is 401, a role without the right 403, another
 * organization's resources 404; every refusal in the error envelope. Malformed input and domain
 * conflicts are in errors.e2e-spec.ts.
 */
describe('API keys, roles and organizations', () => {
  let testApp: TestApp;
  let admin: E2eClient;
  let author: E2eClient;
  let pipeline: E2eClient;
  let reviewer: E2eClient;
  let caseId: string;
  let runId: string;

  const gate = (key: string, status = 'approved') => ({
    key,
    name: key,
    initial: 'wait',
    states: {
      wait: { on: { GO: 'done' } },
      done: { type: 'final', steps: [{ id: 'decide', action: 'case.updateStatus', params: { status } }] },
    },
  });

  beforeAll(async () => {
    testApp = await startTestApp('auth');
    admin = new E2eClient(testApp, testApp.adminKey);
    [author, pipeline, reviewer] = await Promise.all([E2eClient.issue(testApp, 'author'), E2eClient.issue(testApp, 'pipeline'), E2eClient.issue(testApp, 'reviewer')]);
    expect((await author.post('/v1/workflows', gate('gate'))).status).toBe(201);
    const created = await pipeline.post('/v1/cases', { type: 'person', workflow: 'gate', data: { name: 'Jane' } });
    expect(created.status).toBe(201);
    caseId = created.body.id;
    runId = created.body.runs[0].id;
  });

  afterAll(async () => {
    await testApp?.close();
  });

  describe('401', () => {
    const headers: Array<[string, string | undefined]> = [
      ['no header', undefined],
      ['Basic credentials', 'Basic dXNlcjpwYXNzd29yZA=='],
      ['"Bearer" with no key', 'Bearer'],
      ['"Bearer " with blank key', 'Bearer    '],
      ['two words after Bearer', 'Bearer abc def'],
      ['a key with no scheme', 'cf_this-is-not-how-to-send-it'],
      ['an unknown key', 'Bearer cf_unknown-key-0000000000000000000000'],
    ];

    it.each(headers)('%s gets 401 UNAUTHORIZED on every protected route', async (_label, header) => {
      const routes = [
        testApp.http().get('/v1/workflows'),
        testApp.http().post('/v1/cases').send({ type: 'person' }),
        testApp.http().get(`/v1/runs/${runId}`),
        testApp.http().get('/v1/admin/api-keys'),
      ];
      for (const route of routes) {
        const response = await (header === undefined ? route : route.set('Authorization', header));
        expectError(response, 401, 'UNAUTHORIZED');
      }
    });

    it('a revoked key gets 401 from then on; revoking it again is 404', async () => {
      const doomed = await E2eClient.issue(testApp, 'pipeline');
      expect((await doomed.get(`/v1/cases/${caseId}`)).status).toBe(200);

      const revoked = await admin.delete(`/v1/admin/api-keys/${doomed.keyId}`);
      expect(revoked.status).toBe(204);
      expectError(await doomed.get(`/v1/cases/${caseId}`), 401, 'UNAUTHORIZED');
      expectError(await doomed.post('/v1/cases', { type: 'person' }), 401, 'UNAUTHORIZED');

      const listed = await admin.get('/v1/admin/api-keys');
      expect(listed.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ id: doomed.keyId, revokedAt: expect.any(String) })]));
      expectError(await admin.delete(`/v1/admin/api-keys/${doomed.keyId}`), 404);
      // The other keys are untouched.
      expect((await pipeline.get(`/v1/cases/${caseId}`)).status).toBe(200);
    });

    it(`a key revoked by another API process is refused here within ${API_KEY_CACHE_TTL_MS / 1000} s`, async () => {
      const doomed = await E2eClient.issue(testApp, 'pipeline');
      expect((await doomed.get(`/v1/cases/${caseId}`)).status).toBe(200); // now remembered by this process
      // What DELETE /v1/admin/api-keys/:id does in another process: only the row changes.
      await testApp.get(DataSource).query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [doomed.keyId]);
      const revokedAt = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - revokedAt < API_KEY_CACHE_TTL_MS + 2_000) {
        status = (await doomed.get(`/v1/cases/${caseId}`)).status;
        if (status === 200) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(status).toBe(401);
      expect(Date.now() - revokedAt).toBeLessThan(API_KEY_CACHE_TTL_MS + 1_000);
      expectError(await doomed.post('/v1/cases', { type: 'person' }), 401, 'UNAUTHORIZED');
    });
  });

  describe('403', () => {
    type Caller = 'author' | 'pipeline' | 'reviewer';
    const refused: Array<[Caller, 'GET' | 'POST' | 'DELETE', string, object | null]> = [
      ['reviewer', 'POST', '/v1/workflows', gate('by-reviewer')],
      ['reviewer', 'POST', '/v1/workflows/validate', gate('by-reviewer')],
      ['reviewer', 'POST', '/v1/runs/:run/events', { type: 'GO' }],
      ['author', 'POST', '/v1/cases', { type: 'person' }],
      ['author', 'GET', '/v1/cases/:case', null],
      ['author', 'GET', '/v1/runs/:run', null],
      ['pipeline', 'GET', '/v1/workflows', null],
      ['pipeline', 'POST', '/v1/admin/api-keys', { role: 'admin', name: 'escalation' }],
      ['pipeline', 'GET', '/v1/admin/statuses', null],
      ['reviewer', 'POST', '/v1/admin/organizations', { name: 'Evil', slug: 'evil' }],
      ['author', 'DELETE', '/v1/admin/api-keys/:pipelineKey', null],
    ];

    it.each(refused)('%s: %s %s is 403 FORBIDDEN', async (role, method, path, body) => {
      const client = { author, pipeline, reviewer }[role];
      const url = path.replace(':run', runId).replace(':case', caseId).replace(':pipelineKey', pipeline.keyId as string);
      const response = method === 'GET' ? await client.get(url) : method === 'DELETE' ? await client.delete(url) : await client.post(url, body ?? undefined);
      expectError(response, 403, 'FORBIDDEN');
      expect(response.body.error.details).toMatchObject({ role, allowed: expect.arrayContaining(['admin']) });
    });

    it('nothing the refused calls asked for happened', async () => {
      expectError(await author.get('/v1/workflows/by-reviewer'), 404, 'WORKFLOW_NOT_FOUND');
      const run = await pipeline.get(`/v1/runs/${runId}`);
      expect(run.body).toMatchObject({ status: 'waiting', state: 'wait', events: [] });
      expect((await pipeline.get(`/v1/cases/${caseId}`)).status).toBe(200);
      const keys = await admin.get('/v1/admin/api-keys');
      expect(keys.body.items.filter((key: { name: string }) => key.name === 'escalation')).toEqual([]);
    });

    it('each role may do its own part', async () => {
      expect((await reviewer.get('/v1/workflows')).status).toBe(200);
      expect((await reviewer.get(`/v1/cases/${caseId}`)).status).toBe(200);
      expect((await reviewer.get(`/v1/cases/${caseId}/events`)).status).toBe(200);
      expect((await reviewer.get(`/v1/runs/${runId}`)).status).toBe(200);
      expect((await author.get('/v1/workflows/gate/versions/1')).status).toBe(200);
      expect((await author.post('/v1/workflows/validate', gate('check'))).status).toBe(200);
      expect((await pipeline.get(`/v1/runs/${runId}`)).status).toBe(200);
    });

    it('an admin may do everything within its organization', async () => {
      expect((await admin.post('/v1/workflows/validate', gate('by-admin'))).body).toEqual({ valid: true, problems: [] });
      expect((await admin.post('/v1/workflows', gate('by-admin'))).status).toBe(201);
      expect((await admin.get('/v1/workflows/by-admin')).status).toBe(200);
      const created = await admin.post('/v1/cases', { type: 'person', workflow: 'by-admin' });
      expect(created.status).toBe(201);
      const adminRun = created.body.runs[0].id;
      await admin.waitForRun(adminRun, (run) => run.status === 'waiting');
      expect((await admin.post(`/v1/runs/${adminRun}/events`, { type: 'GO' })).status).toBe(200);
      expect((await admin.waitForRun(adminRun, (run) => run.status === 'completed')).state).toBe('done');
      expect((await admin.get(`/v1/cases/${created.body.id}`)).body.status).toBe('approved');
      expect((await admin.get(`/v1/cases/${created.body.id}/events`)).status).toBe(200);
      expect((await admin.get('/v1/admin/statuses')).status).toBe(200);
    });
  });

  describe('organizations', () => {
    let acme: E2eClient;
    let acmeCaseId: string;
    let acmeRunId: string;

    beforeAll(async () => {
      expect((await author.post('/v1/workflows', gate('default-only'))).status).toBe(201);
      const created = await admin.post('/v1/admin/organizations', { name: 'Acme Bank', slug: 'acme' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        organization: { id: expect.any(String), name: 'Acme Bank', slug: 'acme', createdAt: expect.any(String) },
        apiKey: expect.stringMatching(/^\S{20,}$/),
        apiKeyId: expect.any(String),
      });
      acme = new E2eClient(testApp, created.body.apiKey, created.body.apiKeyId);
      // Its own workflow under a key the default organization also uses: versions are per organization.
      const published = await acme.post('/v1/workflows', gate('gate', 'declined'));
      expect(published.body).toEqual({ key: 'gate', version: 1 });
      const acmeCase = await acme.post('/v1/cases', { type: 'person', workflow: 'gate' });
      expect(acmeCase.status).toBe(201);
      acmeCaseId = acmeCase.body.id;
      acmeRunId = acmeCase.body.runs[0].id;
    });

    it("the new organization's admin cannot see or touch the default organization's resources (404)", async () => {
      expectError(await acme.get(`/v1/cases/${caseId}`), 404, 'CASE_NOT_FOUND');
      expectError(await acme.get(`/v1/cases/${caseId}/events`), 404, 'CASE_NOT_FOUND');
      expectError(await acme.get(`/v1/runs/${runId}`), 404, 'RUN_NOT_FOUND');
      expectError(await acme.post(`/v1/runs/${runId}/events`, { type: 'GO' }), 404, 'RUN_NOT_FOUND');
      expectError(await acme.post(`/v1/runs/${runId}/retry`), 404, 'RUN_NOT_FOUND');
      expectError(await acme.post('/v1/runs', { caseId, workflow: 'gate' }), 404, 'CASE_NOT_FOUND');
      expectError(await acme.get('/v1/workflows/default-only'), 404, 'WORKFLOW_NOT_FOUND');
      expectError(await acme.get('/v1/workflows/default-only/versions/1'), 404);
      expectError(await acme.post('/v1/cases', { type: 'person', workflow: 'default-only' }), 404, 'WORKFLOW_NOT_FOUND');
      expectError(await acme.delete(`/v1/admin/api-keys/${pipeline.keyId}`), 404);

      expect((await acme.get('/v1/workflows')).body.items.map((w: { key: string }) => w.key)).toEqual(['gate']);
      expect((await acme.get('/v1/workflows/gate')).body).toMatchObject({ latestVersion: 1, definition: gate('gate', 'declined') });
      const keys = (await acme.get('/v1/admin/api-keys')).body.items.map((k: { id: string }) => k.id);
      expect(keys).toEqual([acme.keyId]);
      // Nothing changed on the default side.
      expect((await pipeline.get(`/v1/runs/${runId}`)).body).toMatchObject({ status: 'waiting', events: [] });
      expect((await pipeline.get(`/v1/cases/${caseId}`)).body.runs).toHaveLength(1);
      expect((await pipeline.get(`/v1/cases/${caseId}`)).status).toBe(200);
    });

    it("and the default organization cannot see the new organization's resources", async () => {
      expectError(await admin.get(`/v1/cases/${acmeCaseId}`), 404, 'CASE_NOT_FOUND');
      expectError(await pipeline.get(`/v1/runs/${acmeRunId}`), 404, 'RUN_NOT_FOUND');
      expectError(await pipeline.post(`/v1/runs/${acmeRunId}/events`, { type: 'GO' }), 404, 'RUN_NOT_FOUND');
      expectError(await admin.delete(`/v1/admin/api-keys/${acme.keyId}`), 404);
      expect((await admin.get('/v1/workflows/gate')).body).toMatchObject({ latestVersion: 1, definition: gate('gate') });
      expect((await acme.get(`/v1/runs/${acmeRunId}`)).body).toMatchObject({ status: 'waiting', events: [] });
    });

    it("a custom status of one organization is not in the other's sets", async () => {
      expect((await admin.post('/v1/admin/statuses', { set: 'kyb', key: 'default_only', label: 'Default only', category: 'pending' })).status).toBe(201);
      const statusKeys = async (client: E2eClient) => {
        const sets = (await client.get('/v1/admin/statuses')).body.items as Array<{ key: string; statuses: Array<{ key: string }> }>;
        return sets.find((set) => set.key === 'kyb')?.statuses.map((s) => s.key);
      };
      expect(await statusKeys(admin)).toContain('default_only');
      expect(await statusKeys(acme)).not.toContain('default_only');
      expect(await statusKeys(acme)).toContain('manual_review');
    });

    it('only an admin of the default organization may create organizations', async () => {
      expectError(await acme.post('/v1/admin/organizations', { name: 'Sub', slug: 'acme-sub' }), 403, 'FORBIDDEN');
      const acmeAuthor = await E2eClient.issue(testApp, 'author', acme.key);
      expectError(await acmeAuthor.post('/v1/admin/organizations', { name: 'Sub', slug: 'acme-sub' }), 403, 'FORBIDDEN');
      // Neither refused call created it: the slug is still free.
      expect((await admin.post('/v1/admin/organizations', { name: 'Sub', slug: 'acme-sub' })).status).toBe(201);
    });

    it('a duplicate slug is 409, a malformed one 400', async () => {
      expectError(await admin.post('/v1/admin/organizations', { name: 'Acme again', slug: 'acme' }), 409, 'ORGANIZATION_EXISTS');
      expectError(await admin.post('/v1/admin/organizations', { name: 'Another default', slug: 'default' }), 409, 'ORGANIZATION_EXISTS');
      const bad = await admin.post('/v1/admin/organizations', { name: 'Bad', slug: 'Not A Slug!' });
      expectError(bad, 400, 'VALIDATION_FAILED');
      expect(bad.body.error.details.problems).toEqual([{ path: '/slug', message: expect.any(String) }]);
    });
  });
});
