import { DataSource } from 'typeorm';
import { E2eClient, expectError } from '../support/e2e-client';
import { startTestApp, TestApp } from '../support/test-app';

/** Saved views (SPEC §6 `GET/POST/DELETE /views`): CRUD, sidebar counts, and one organization's
 * views and cases never reaching another. */
describe('case list: saved views', () => {
  let testApp: TestApp;
  let reviewer: E2eClient;
  let pipeline: E2eClient;
  // A second organization, with keys of its own.
  let otherReviewer: E2eClient;
  let otherPipeline: E2eClient;
  let otherAdmin: E2eClient;
  let otherOrganizationId: string;

  const hk = { company: { country: 'HK' } };
  const createCases = async (client: E2eClient, bodies: object[]) => {
    const ids: string[] = [];
    for (const body of bodies) {
      const response = await client.post('/v1/cases', body);
      expect(response.status).toBe(201);
      ids.push(response.body.id);
    }
    return ids;
  };

  beforeAll(async () => {
    testApp = await startTestApp('case-list-views', { worker: false });
    [reviewer, pipeline] = await Promise.all([E2eClient.issue(testApp, 'reviewer'), E2eClient.issue(testApp, 'pipeline')]);
    const created = await new E2eClient(testApp, testApp.adminKey).post('/v1/admin/organizations', { name: 'Other Bank', slug: 'other-bank' });
    expect(created.status).toBe(201);
    otherOrganizationId = created.body.organization.id;
    otherAdmin = new E2eClient(testApp, created.body.apiKey);
    [otherReviewer, otherPipeline] = await Promise.all([E2eClient.issue(testApp, 'reviewer', otherAdmin.key), E2eClient.issue(testApp, 'pipeline', otherAdmin.key)]);
    await createCases(pipeline, [
      { type: 'kyb', data: hk },
      { type: 'kyb', data: hk },
      { type: 'kyb', data: { company: { country: 'SG' } } },
      { type: 'person', data: { name: 'Ada' } },
    ]);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  type ViewItem = { id: string; name: string; filter: object; position: number; count: number; capped: boolean; createdAt: string; createdBy: string };
  const views = async (client: E2eClient = reviewer) => {
    const response = await client.get('/v1/views');
    expect(response.status).toBe(200);
    return response.body.items as ViewItem[];
  };
  const createView = async (body: object, client: E2eClient = reviewer) => {
    const response = await client.post('/v1/views', body);
    expect({ status: response.status, body: response.body }).toMatchObject({ status: 201 });
    return response.body as ViewItem;
  };

  it('saves a view and lists the views in order, each with its count of matching cases', async () => {
    const hkView = await createView({ name: 'HK companies', filter: { type: ['kyb'], data: [{ path: 'company.country', op: 'eq', value: 'HK' }] } });
    expect(hkView).toEqual({
      id: expect.any(String),
      name: 'HK companies',
      filter: { type: ['kyb'], data: [{ path: 'company.country', op: 'eq', value: 'HK' }] },
      position: 0,
      createdBy: `key:${reviewer.keyId}`,
      createdAt: expect.any(String),
    });
    await createView({ name: 'Everything', filter: {}, position: 10 });
    await createView({ name: 'People', filter: { type: ['person'] }, position: 5 });
    expect((await views()).map(({ name, count, capped }) => ({ name, count, capped }))).toEqual([
      { name: 'HK companies', count: 2, capped: false },
      { name: 'People', count: 1, capped: false },
      { name: 'Everything', count: 4, capped: false },
    ]);
    const one = await reviewer.get(`/v1/views/${hkView.id}`);
    expect(one.body).toMatchObject({ id: hkView.id, name: 'HK companies', count: 2, capped: false });
  });

  it('lists cases through a view, ANDed with query parameters', async () => {
    const hkView = (await views()).find((view) => view.name === 'HK companies')!;
    const list = async (query: string) => ((await reviewer.get(`/v1/cases?view=${hkView.id}${query}`)).body.items as unknown[]).length;
    expect(await list('')).toBe(2);
    expect(await list('&limit=1')).toBe(1);
    expect(await list('&type=person')).toBe(0);
    expect(await list('&data.company.country=SG')).toBe(0);
    expect(await list('&type=kyb,person&status=open')).toBe(2);
  });

  it('refuses a second view of the same name with 409, even when both arrive at once', async () => {
    expectError(await reviewer.post('/v1/views', { name: 'People', filter: {} }), 409, 'VIEW_EXISTS');
    const racing = await Promise.all(Array.from({ length: 5 }, () => reviewer.post('/v1/views', { name: 'Racing', filter: {} })));
    expect(racing.map((response) => response.status).sort()).toEqual([201, 409, 409, 409, 409]);
    // The same name in another organization is no conflict.
    await createView({ name: 'People', filter: { type: ['person'] } }, otherReviewer);
  });

  it('deletes a view: 204, then 404 for it; 404 for ids that never were', async () => {
    const view = await createView({ name: 'Short-lived', filter: { status: ['open'] } });
    expect((await reviewer.delete(`/v1/views/${view.id}`)).status).toBe(204);
    expectError(await reviewer.get(`/v1/views/${view.id}`), 404, 'VIEW_NOT_FOUND');
    expectError(await reviewer.delete(`/v1/views/${view.id}`), 404, 'VIEW_NOT_FOUND');
    expectError(await reviewer.get(`/v1/cases?view=${view.id}`), 404, 'VIEW_NOT_FOUND');
    expectError(await reviewer.delete('/v1/views/not-a-uuid'), 404, 'VIEW_NOT_FOUND');
    expect((await views()).map((v) => v.name)).not.toContain('Short-lived');
  });

  it('validates the body: name and filter are required, unknown fields refused', async () => {
    expectError(await reviewer.post('/v1/views', { filter: {} }), 400, 'VALIDATION_FAILED');
    expectError(await reviewer.post('/v1/views', { name: 'x' }), 400, 'VALIDATION_FAILED');
    expectError(await reviewer.post('/v1/views', { name: 'x'.repeat(101), filter: {} }), 400, 'VALIDATION_FAILED');
    expectError(await reviewer.post('/v1/views', { name: 'x', filter: {}, sql: 'DROP TABLE views' }), 400, 'VALIDATION_FAILED');
    expectError(await reviewer.post('/v1/views', { name: '   ', filter: {} }), 422, 'INVALID_VIEW_NAME');
    const notObject = await reviewer.post('/v1/views', { name: 'x', filter: 'status = open' });
    expectError(notObject, 422, 'INVALID_FILTER');
    expect(notObject.body.error.details.problems).toEqual([{ path: '/filter', message: 'must be an object' }]);
    const admin = new E2eClient(testApp, testApp.adminKey);
    expect((await admin.post('/v1/views', { name: 'By an admin', filter: {} })).status).toBe(201);
  });

  it("keeps organizations apart: another organization's cases and views are invisible", async () => {
    const [otherCase] = await createCases(otherPipeline, [{ type: 'kyb', data: hk }, { type: 'kyb', data: hk }, { type: 'kyb', data: hk }]);
    const otherView = await createView({ name: 'Other HK', filter: { data: [{ path: 'company.country', op: 'eq', value: 'HK' }] } }, otherReviewer);
    expect(otherView.createdBy).toMatch(/^key:/);

    const ownIds = ((await reviewer.get('/v1/cases?limit=200')).body.items as Array<{ id: string }>).map((item) => item.id);
    expect(ownIds).toHaveLength(4);
    expect(ownIds).not.toContain(otherCase);
    expect((await reviewer.get(`/v1/cases?q=${otherCase}`)).body.items).toEqual([]);
    expect((await otherReviewer.get(`/v1/cases?q=${otherCase}`)).body.items).toHaveLength(1);
    expect((await views()).map((view) => view.name)).not.toContain('Other HK');
    expectError(await reviewer.get(`/v1/views/${otherView.id}`), 404, 'VIEW_NOT_FOUND');
    expectError(await reviewer.get(`/v1/cases?view=${otherView.id}`), 404, 'VIEW_NOT_FOUND');
    expectError(await reviewer.delete(`/v1/views/${otherView.id}`), 404, 'VIEW_NOT_FOUND');

    // One filter, two organizations, two counts.
    expect((await views(otherReviewer)).find((view) => view.name === 'Other HK')).toMatchObject({ count: 3 });
    expect((await views()).find((view) => view.name === 'HK companies')).toMatchObject({ count: 2 });
    expect((await otherReviewer.get(`/v1/views/${otherView.id}`)).status).toBe(200);
  });

  it('caps counts at 10,000 so a sidebar stays fast', async () => {
    // 10,050 cases through the API would take minutes; inserted in SQL into the other organization
    // they are the same rows as far as the list is concerned.
    await testApp.get(DataSource).query(
      `INSERT INTO cases (organization_id, type, status_set, status, data)
       SELECT $1, 'bulk', 'default', 'open', jsonb_build_object('n', i) FROM generate_series(1, 10050) AS i`,
      [otherOrganizationId],
    );
    const bulk = await createView({ name: 'Bulk', filter: { type: ['bulk'] } }, otherReviewer);
    const few = await createView({ name: 'Bulk, first 50', filter: { type: ['bulk'], data: [{ path: 'n', op: 'in', value: Array.from({ length: 50 }, (_, i) => i + 1) }] } }, otherReviewer);
    const counts = Object.fromEntries((await views(otherReviewer)).map((view) => [view.id, { count: view.count, capped: view.capped }]));
    expect(counts[bulk.id]).toEqual({ count: 10000, capped: true });
    expect(counts[few.id]).toEqual({ count: 50, capped: false });
  });

  it('bounds the number of views an organization keeps', async () => {
    const existing = (await views(otherReviewer)).length;
    for (let i = existing; i < 100; i += 10) {
      const batch = Array.from({ length: Math.min(10, 100 - i) }, (_, j) => otherReviewer.post('/v1/views', { name: `filler ${i + j}`, filter: { status: ['open'] } }));
      expect((await Promise.all(batch)).every((response) => response.status === 201)).toBe(true);
    }
    expectError(await otherReviewer.post('/v1/views', { name: 'one too many', filter: {} }), 422, 'TOO_MANY_VIEWS');
    expect((await views(otherReviewer)).length).toBe(100);
  });
});
