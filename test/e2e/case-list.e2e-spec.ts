import { DataSource } from 'typeorm';
import { E2eClient, expectError } from '../support/e2e-client';
import { kybDefinition } from '../support/workflow-fixtures';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * GET /v1/cases (SPEC §6): every filter of the list, data conditions through views, q search, and
 * what is refused. No worker runs, so cases keep the statuses this suite gives them.
 */
describe('case list: filters and search', () => {
  let testApp: TestApp;
  let reviewer: E2eClient;
  let pipeline: E2eClient;
  const ids: Record<string, string> = {};
  const nameOf = (id: string) => Object.keys(ids).find((name) => ids[name] === id) ?? id;

  // Created oldest first in this order; each with the status, assignee and tags given in SQL below.
  const fixtures = {
    hkAcme: {
      body: { type: 'kyb', workflow: 'kyb-flow', data: { company: { name: 'Acme Trading Ltd', country: 'HK', registry: { number: 'HK-1001' } }, riskScore: 72, aliases: ['Acme HK', 'ACME Holdings'], pep: true } },
      set: { status: 'manual_review', assignee: 'alice', tags: ['urgent', 'pep'] },
    },
    sgBeta: {
      body: { type: 'kyb', workflow: 'kyb-flow', data: { company: { name: 'Beta Pte', country: 'SG' }, riskScore: 15, aliases: [] } },
      set: { status: 'collection_flow', assignee: 'bob', tags: ['urgent'] },
    },
    hkGamma: {
      body: { type: 'kyb', statusSet: 'kyb', data: { company: { name: 'Gamma 100% Ltd', country: 'HK' }, riskScore: '72' } },
      set: { status: 'revisions', assignee: null, tags: [] },
    },
    ada: {
      body: { type: 'person', workflow: 'person-check', data: { name: 'Ada Lovelace', country: 'GB', owners: [{ name: 'Charles Babbage' }] } },
      set: { status: 'pending', assignee: 'alice', tags: ['pep'] },
    },
    grace: { body: { type: 'person', data: { name: 'Grace Hopper', country: 'US', note: null } }, set: { status: 'open', assignee: null, tags: [] } },
    zurich: {
      body: { type: 'transaction', data: { merchant: 'Zürich Café', amount: 1200.5, labels: ['wire', 'crypto'] } },
      set: { status: 'open', assignee: null, tags: ['aml'] },
    },
  };

  beforeAll(async () => {
    testApp = await startTestApp('case-list', { worker: false });
    let author: E2eClient;
    [reviewer, pipeline, author] = await Promise.all(['reviewer', 'pipeline', 'author'].map((role) => E2eClient.issue(testApp, role as 'reviewer')));
    const personCheck = { key: 'person-check', name: 'Person check', caseType: 'person', initial: 'waiting', states: { waiting: { on: { GO: 'done' } }, done: { type: 'final' } } };
    for (const definition of [kybDefinition('kyb-flow'), personCheck]) expect((await author.post('/v1/workflows', definition)).status).toBe(201);
    const db = testApp.get(DataSource);
    for (const [name, fixture] of Object.entries(fixtures)) {
      const created = await pipeline.post('/v1/cases', fixture.body);
      expect(created.status).toBe(201);
      ids[name] = created.body.id;
      // No endpoint of this suite's scope sets assignee and tags, and without a worker no step moves
      // the status: so they are set directly, as the case's history would have left them.
      await db.query('UPDATE cases SET status = $2, assignee = $3, tags = $4 WHERE id = $1', [ids[name], fixture.set.status, fixture.set.assignee, fixture.set.tags]);
    }
  });

  afterAll(async () => {
    await testApp?.close();
  });

  const list = async (query: string) => {
    const response = await reviewer.get(`/v1/cases${query}`);
    expect({ status: response.status, body: response.body }).toMatchObject({ status: 200 });
    return response.body as { items: Array<Record<string, unknown> & { id: string }>; nextCursor: string | null };
  };
  const names = async (query: string) => (await list(query)).items.map((item) => nameOf(item.id)).sort();
  const viaView = async (filter: object) => {
    const view = await reviewer.post('/v1/views', { name: `view ${Math.random()}`, filter });
    expect({ status: view.status, body: view.body }).toMatchObject({ status: 201 });
    return names(`?view=${view.body.id}`);
  };

  it('lists every case newest first, in the list shape (no blocks), with no next page', async () => {
    const body = await list('');
    expect(body.items.map((item) => nameOf(item.id))).toEqual(Object.keys(fixtures).reverse());
    expect(body.nextCursor).toBeNull();
    const acme = body.items.find((item) => item.id === ids.hkAcme)!;
    expect(Object.keys(acme).sort()).toEqual(['assignee', 'createdAt', 'data', 'id', 'status', 'statusSet', 'tags', 'type', 'updatedAt', 'version', 'workflow'].sort());
    expect(acme).toMatchObject({ type: 'kyb', status: 'manual_review', statusSet: 'kyb', workflow: 'kyb-flow', assignee: 'alice', tags: ['urgent', 'pep'], data: fixtures.hkAcme.body.data, version: 1 });
  });

  it('filters by status, type and workflow: any of the values, repeated or comma-separated', async () => {
    expect(await names('?status=manual_review')).toEqual(['hkAcme']);
    expect(await names('?status=manual_review,pending')).toEqual(['ada', 'hkAcme']);
    expect(await names('?status=open&status=revisions')).toEqual(['grace', 'hkGamma', 'zurich']);
    expect(await names('?type=person')).toEqual(['ada', 'grace']);
    expect(await names('?workflow=kyb-flow')).toEqual(['hkAcme', 'sgBeta']);
    expect(await names('?workflow=person-check,kyb-flow&type=person')).toEqual(['ada']);
    expect(await names('?status=')).toHaveLength(6);
  });

  it('filters by tags (a case must carry all listed) and by assignee (null = unassigned)', async () => {
    expect(await names('?tag=urgent')).toEqual(['hkAcme', 'sgBeta']);
    expect(await names('?tag=urgent,pep')).toEqual(['hkAcme']);
    expect(await names('?tag=nope')).toEqual([]);
    expect(await names('?assignee=alice')).toEqual(['ada', 'hkAcme']);
    expect(await names('?assignee=null')).toEqual(['grace', 'hkGamma', 'zurich']);
    expect(await names('?assignee=bob&assignee=null&type=kyb')).toEqual(['hkGamma', 'sgBeta']);
  });

  it('filters by data fields given as data.<path>=<value>, nested, and numbers or booleans as well as strings', async () => {
    expect(await names('?data.company.country=HK')).toEqual(['hkAcme', 'hkGamma']);
    expect(await names('?data.company.registry.number=HK-1001')).toEqual(['hkAcme']);
    expect(await names('?data.company.country=HK&data.company.country=SG')).toEqual(['hkAcme', 'hkGamma', 'sgBeta']);
    // A query string cannot tell 72 from "72", so it matches both.
    expect(await names('?data.riskScore=72')).toEqual(['hkAcme', 'hkGamma']);
    expect(await names('?data.pep=true')).toEqual(['hkAcme']);
    expect(await names('?data.amount=1200.5')).toEqual(['zurich']);
    expect(await names('?type=kyb&status=manual_review,revisions&data.company.country=HK&assignee=null')).toEqual(['hkGamma']);
  });

  it('eq and in compare JSON values exactly, through a view', async () => {
    expect(await viaView({ data: [{ path: 'riskScore', op: 'eq', value: 72 }] })).toEqual(['hkAcme']);
    expect(await viaView({ data: [{ path: 'riskScore', op: 'eq', value: '72' }] })).toEqual(['hkGamma']);
    expect(await viaView({ data: [{ path: 'note', op: 'eq', value: null }] })).toEqual(['grace']);
    expect(await viaView({ data: [{ path: 'company', op: 'eq', value: 'HK' }] })).toEqual([]);
    expect(await viaView({ data: [{ path: 'company.country', op: 'in', value: ['SG', 'GB', 'HK'] }] })).toEqual(['hkAcme', 'hkGamma', 'sgBeta']);
    expect(await viaView({ data: [{ path: 'riskScore', op: 'in', value: [15, '72'] }] })).toEqual(['hkGamma', 'sgBeta']);
    expect(await viaView({ data: [{ path: 'owners.0.name', op: 'eq', value: 'Charles Babbage' }] })).toEqual(['ada']);
    expect(await viaView({ data: [{ path: 'owners.0.name', op: 'in', value: ['Charles Babbage', 'x'] }] })).toEqual(['ada']);
  });

  it('exists holds when the key is present, even with a null value, and indexes into arrays', async () => {
    expect(await viaView({ data: [{ path: 'company.registry', op: 'exists' }] })).toEqual(['hkAcme']);
    expect(await viaView({ data: [{ path: 'note', op: 'exists' }] })).toEqual(['grace']);
    expect(await viaView({ data: [{ path: 'owners.0.name', op: 'exists' }] })).toEqual(['ada']);
    expect(await viaView({ data: [{ path: 'owners.1', op: 'exists' }] })).toEqual([]);
  });

  it('contains finds an array element, or a case-insensitive substring with LIKE wildcards taken literally', async () => {
    expect(await viaView({ data: [{ path: 'aliases', op: 'contains', value: 'ACME Holdings' }] })).toEqual(['hkAcme']);
    expect(await viaView({ data: [{ path: 'labels', op: 'contains', value: 'crypto' }] })).toEqual(['zurich']);
    expect(await viaView({ data: [{ path: 'labels', op: 'contains', value: 'cryp' }] })).toEqual([]);
    expect(await viaView({ data: [{ path: 'company.name', op: 'contains', value: 'LTD' }] })).toEqual(['hkAcme', 'hkGamma']);
    expect(await viaView({ data: [{ path: 'company.name', op: 'contains', value: '100%' }] })).toEqual(['hkGamma']);
    expect(await viaView({ data: [{ path: 'company.name', op: 'contains', value: '_' }] })).toEqual([]);
    expect(await viaView({ data: [{ path: 'merchant', op: 'contains', value: 'zÜrich' }] })).toEqual(['zurich']);
  });

  it('q matches words of the data as prefixes, all of them, in any script; a uuid finds the case', async () => {
    expect(await names('?q=lovelace')).toEqual(['ada']);
    expect(await names('?q=LOVE')).toEqual(['ada']);
    expect(await names('?q=acme%20hk')).toEqual(['hkAcme']);
    expect(await names('?q=acme%20sg')).toEqual([]);
    expect(await names('?q=z%C3%BCr')).toEqual(['zurich']);
    expect(await names('?q=1200')).toEqual(['zurich']);
    // Identifiers are searched whole, as the index tokenized them ('hk' and '-1001').
    expect(await names('?q=HK-1001')).toEqual(['hkAcme']);
    expect(await names('?q=hk-10')).toEqual(['hkAcme']);
    expect(await names('?q=1200.5')).toEqual(['zurich']);
    expect(await names('?q=ltd&data.company.country=HK&status=revisions')).toEqual(['hkGamma']);
    expect(await names(`?q=${ids.grace}`)).toEqual(['grace']);
    expect(await names('?q=00000000-0000-4000-8000-000000000000')).toEqual([]);
  });

  it('takes values that look like SQL as plain values', async () => {
    expect(await names(`?status=${encodeURIComponent("open' OR '1'='1")}`)).toEqual([]);
    expect(await names(`?data.company.country=${encodeURIComponent("HK' OR '1'='1")}`)).toEqual([]);
    expect(await names(`?q=${encodeURIComponent("'); DROP TABLE cases; --")}`)).toEqual([]);
    expect(await viaView({ data: [{ path: 'company.name', op: 'contains', value: "' OR 1=1 --" }] })).toEqual([]);
    expect(await names('')).toHaveLength(6);
  });

  it('refuses bad parameters with 400 and the error envelope', async () => {
    const refused = async (query: string, code: string) => {
      const response = await reviewer.get(`/v1/cases${query}`);
      expectError(response, 400, code);
      return response.body.error;
    };
    const injection = await refused(`?${encodeURIComponent("data.a') OR 1=1 --")}=x`, 'INVALID_FILTER');
    expect(injection.details.problems).toEqual([{ path: '/data/0/path', message: expect.stringMatching(/dot-separated segments/) }]);
    await refused('?data.=x', 'INVALID_FILTER');
    await refused('?data.a..b=x', 'INVALID_FILTER');
    await refused('?status=a%00b', 'INVALID_FILTER');
    await refused(`?tag=${Array.from({ length: 51 }, (_, i) => `t${i}`).join(',')}`, 'INVALID_FILTER');
    await refused('?limit=0', 'VALIDATION_FAILED');
    await refused('?limit=201', 'VALIDATION_FAILED');
    await refused('?limit=ten', 'VALIDATION_FAILED');
    await refused('?sort=created_at', 'VALIDATION_FAILED');
    await refused('?view=not-a-uuid', 'VALIDATION_FAILED');
    await refused(`?q=${'x'.repeat(201)}`, 'VALIDATION_FAILED');
    await refused('?q=***', 'INVALID_QUERY');
    await refused('?q=a%20b%20c%20d%20e%20f%20g%20h%20i', 'INVALID_QUERY');
    await refused('?cursor=garbage', 'INVALID_CURSOR');
    expectError(await reviewer.get('/v1/cases?view=00000000-0000-4000-8000-000000000000'), 404, 'VIEW_NOT_FOUND');
  });

  it('refuses a bad view filter with 422, listing every problem with its JSON pointer', async () => {
    const response = await reviewer.post('/v1/views', {
      name: 'broken',
      filter: {
        status: 'open',
        where: '1=1',
        data: [
          { path: "a') OR 1=1 --", op: 'eq', value: 'x' },
          { path: 'company.country', op: 'regex', value: '.*' },
          { path: 'riskScore', op: 'in', value: 5 },
          { path: 'a', op: 'eq', value: { $gt: '' } },
          { path: 'a', op: 'exists', sql: 'DROP TABLE cases' },
        ],
      },
    });
    expectError(response, 422, 'INVALID_FILTER');
    expect(response.body.error.details.problems.map((p: { path: string }) => p.path).sort()).toEqual(
      ['/filter/where', '/filter/status', '/filter/data/0/path', '/filter/data/1/op', '/filter/data/2/value', '/filter/data/3/value', '/filter/data/4/sql'].sort(),
    );
    expect((await reviewer.get('/v1/views')).body.items.map((v: { name: string }) => v.name)).not.toContain('broken');
  });

  it('is for reviewers (and admins): pipelines and authors are refused', async () => {
    const admin = new E2eClient(testApp, testApp.adminKey);
    expect((await admin.get('/v1/cases?limit=1')).status).toBe(200);
    expectError(await pipeline.get('/v1/cases'), 403, 'FORBIDDEN');
    expectError(await pipeline.get('/v1/views'), 403, 'FORBIDDEN');
    expectError(await pipeline.post('/v1/views', { name: 'x', filter: {} }), 403, 'FORBIDDEN');
    expectError(await testApp.http().get('/v1/cases'), 401, 'UNAUTHORIZED');
  });
});
