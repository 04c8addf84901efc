import { Controller, Delete, Get, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { Public, Roles } from '../../apps/api/src/auth/roles.decorator';
import { DbFingerprint, fingerprint, waitForQuiet } from '../support/db-fingerprint';
import { E2eClient, expectError } from '../support/e2e-client';
import { DiscoveredRoute, discoverRoutes, expressRoutes } from '../support/route-discovery';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Roles × routes × organizations (SPEC §1, §6). MATRIX below is the one place that says who may
 * call what; the first block fails when the app serves a route the table does not name, when the
 * table names a route that is gone, or when a route's @Roles/@Public disagree with it. The other
 * blocks then call every route for real: no key and a bad key get 401, every role the table leaves
 * out gets 403, a caller of another organization gets 404 for this organization's resources, and
 * none of those refused calls writes anything; every allowed role gets its answer.
 */
jest.setTimeout(30_000);

type Role = 'admin' | 'author' | 'pipeline' | 'reviewer';
type Access = 'public' | Role[];

// prettier-ignore
const MATRIX: Record<string, Access> = {
  'GET    /v1/health':                                    'public',
  'GET    /v1/health/ready':                              'public',
  'GET    /metrics':                                      'public',
  'GET    /v1/workflows/schema':                          'public',
  'POST   /v1/workflows/validate':                        ['admin', 'author'],
  'POST   /v1/workflows':                                 ['admin', 'author'],
  'GET    /v1/workflows':                                 ['admin', 'author', 'reviewer'],
  'GET    /v1/workflows/:key':                            ['admin', 'author', 'reviewer'],
  'GET    /v1/workflows/:key/versions/:version':          ['admin', 'author', 'reviewer'],
  'POST   /v1/cases':                                     ['admin', 'pipeline'],
  'GET    /v1/cases':                                     ['admin', 'reviewer'],
  'GET    /v1/cases/:id':                                 ['admin', 'pipeline', 'reviewer'],
  'GET    /v1/cases/:id/events':                          ['admin', 'pipeline', 'reviewer'],
  'POST   /v1/cases/:id/status':                          ['admin', 'pipeline'],
  'POST   /v1/cases/:id/actions/:action':                 ['admin', 'reviewer'],
  'POST   /v1/cases/:id/blocks/:key/actions/:action':     ['admin', 'reviewer'],
  'PATCH  /v1/cases/:id/blocks/:key':                     ['admin', 'reviewer'],
  'POST   /v1/cases/:id/assign':                          ['admin', 'reviewer'],
  'POST   /v1/cases/:id/tags':                            ['admin', 'reviewer'],
  'POST   /v1/runs':                                      ['admin', 'pipeline'],
  'GET    /v1/runs/:id':                                  ['admin', 'pipeline', 'reviewer'],
  'POST   /v1/runs/:id/events':                           ['admin', 'pipeline'],
  'POST   /v1/runs/:id/retry':                            ['admin', 'pipeline'],
  'GET    /v1/views':                                     ['admin', 'reviewer'],
  'GET    /v1/views/:id':                                 ['admin', 'reviewer'],
  'POST   /v1/views':                                     ['admin', 'reviewer'],
  'DELETE /v1/views/:id':                                 ['admin', 'reviewer'],
  'POST   /v1/admin/organizations':                       ['admin'],
  'GET    /v1/admin/api-keys':                            ['admin'],
  'POST   /v1/admin/api-keys':                            ['admin'],
  'DELETE /v1/admin/api-keys/:id':                        ['admin'],
  'GET    /v1/admin/statuses':                            ['admin'],
  'POST   /v1/admin/statuses':                            ['admin'],
  'DELETE /v1/admin/statuses/:set/:key':                  ['admin'],
};

/** Served outside Nest's controllers, so outside the guard: Swagger UI and its JSON, public by design. */
const OUTSIDE_THE_GUARD = /^GET \/docs([-/.]|$)/;

const ROLES: Role[] = ['admin', 'author', 'pipeline', 'reviewer'];
const normalize = (route: string) => route.replace(/\s+/g, ' ');
const TABLE: Record<string, Access> = Object.fromEntries(Object.entries(MATRIX).map(([route, access]) => [normalize(route), access]));
const ROUTES = Object.keys(TABLE);
const PROTECTED = ROUTES.filter((route) => TABLE[route] !== 'public');
const allowed = (route: string) => TABLE[route] as Role[];
/** Calls that must store nothing: reads, and validation (SPEC §6: "stores nothing"). */
const READ_ONLY = /^GET |^POST \/v1\/workflows\/validate$/;
const hasResourceParam = (route: string) => /\/:(id|key|set)\b/.test(route);

/** A call of one route: the values of its path parameters and its body. */
interface Call {
  params?: Record<string, string | number>;
  body?: object;
}

/**
 * How to call each route so that an allowed caller succeeds (with `ok`), from real resources of
 * the default organization: fresh ones for each allowed call, one set per route shared by the
 * refused calls. A refused call is the same request, so "nothing written" means a request that
 * would have written something had it been let through.
 */
interface Recipe {
  ok: number;
  make: () => Promise<Call>;
}

describe('authorization matrix: roles × routes × organizations', () => {
  let testApp: TestApp;
  let db: DataSource;
  let discovered: DiscoveredRoute[];
  /** Keys of the default organization and of another one, by role. */
  const home = {} as Record<Role, E2eClient>;
  const other = {} as Record<Role, E2eClient>;
  let sequence = 0;
  const unique = (prefix: string) => `${prefix}-${++sequence}`;

  const waitDefinition = {
    key: 'matrix-wait',
    name: 'Waits for GO',
    initial: 'wait',
    states: { wait: { on: { GO: 'done' } }, done: { type: 'final' } },
  };
  const failingDefinition = {
    key: 'matrix-fail',
    name: 'Fails at its only step',
    initial: 'call',
    states: { call: { steps: [{ id: 'call', action: 'test.flaky', params: { failTimes: 1_000_000 } }], next: 'done' }, done: { type: 'final' } },
  };

  /** Creates a resource as the default organization's admin, failing loudly if that does not work. */
  const create = async (path: string, body: object): Promise<Record<string, unknown>> => {
    const response = await home.admin.post(path, body);
    if (response.status !== 201 && response.status !== 200) throw new Error(`setup POST ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const newCase = async (extra: object = {}) =>
    (await create('/v1/cases', { type: 'person', data: { name: unique('Jane') }, blocks: [{ key: 'passport', type: 'document', title: 'Passport', data: { number: 'X1' } }], ...extra })) as {
      id: string;
      runs: Array<{ id: string }>;
    };
  const pendingCase = async () => {
    const { id } = await newCase();
    await create(`/v1/cases/${id}/status`, { status: 'pending' });
    return id;
  };
  const runIn = async (workflow: string, status: string) => {
    const { runs } = await newCase({ workflow });
    return (await home.admin.waitForRun(runs[0].id, (run) => run.status === status)).id;
  };

  // prettier-ignore
  const RECIPES: Record<string, Recipe> = {
    'GET /v1/health':                                { ok: 200, make: async () => ({}) },
    'GET /v1/health/ready':                          { ok: 200, make: async () => ({}) },
    'GET /metrics':                                  { ok: 200, make: async () => ({}) },
    'GET /v1/workflows/schema':                      { ok: 200, make: async () => ({}) },
    'POST /v1/workflows/validate':                   { ok: 200, make: async () => ({ body: { ...waitDefinition, key: unique('validated') } }) },
    'POST /v1/workflows':                            { ok: 201, make: async () => ({ body: { ...waitDefinition, key: unique('published') } }) },
    'GET /v1/workflows':                             { ok: 200, make: async () => ({}) },
    'GET /v1/workflows/:key':                        { ok: 200, make: async () => ({ params: { key: 'matrix-wait' } }) },
    'GET /v1/workflows/:key/versions/:version':      { ok: 200, make: async () => ({ params: { key: 'matrix-wait', version: 1 } }) },
    'POST /v1/cases':                                { ok: 201, make: async () => ({ body: { type: 'person', data: { name: unique('New') } } }) },
    'GET /v1/cases':                                 { ok: 200, make: async () => ({}) },
    'GET /v1/cases/:id':                             { ok: 200, make: async () => ({ params: { id: (await newCase()).id } }) },
    'GET /v1/cases/:id/events':                      { ok: 200, make: async () => ({ params: { id: (await newCase()).id } }) },
    'POST /v1/cases/:id/status':                     { ok: 200, make: async () => ({ params: { id: (await newCase()).id }, body: { status: 'pending', reason: 'matrix' } }) },
    'POST /v1/cases/:id/actions/:action':            { ok: 200, make: async () => ({ params: { id: await pendingCase(), action: 'approve' }, body: { reason: 'matrix' } }) },
    'POST /v1/cases/:id/blocks/:key/actions/:action':{ ok: 200, make: async () => ({ params: { id: (await newCase()).id, key: 'passport', action: 'approve' }, body: {} }) },
    'PATCH /v1/cases/:id/blocks/:key':               { ok: 200, make: async () => ({ params: { id: (await newCase()).id, key: 'passport' }, body: { data: { number: 'X2' } } }) },
    'POST /v1/cases/:id/assign':                     { ok: 200, make: async () => ({ params: { id: (await newCase()).id }, body: { assignee: 'alice' } }) },
    'POST /v1/cases/:id/tags':                       { ok: 200, make: async () => ({ params: { id: (await newCase()).id }, body: { add: ['matrix'] } }) },
    'POST /v1/runs':                                 { ok: 201, make: async () => ({ body: { caseId: (await newCase()).id, workflow: 'matrix-wait' } }) },
    'GET /v1/runs/:id':                              { ok: 200, make: async () => ({ params: { id: await runIn('matrix-wait', 'waiting') } }) },
    'POST /v1/runs/:id/events':                      { ok: 200, make: async () => ({ params: { id: await runIn('matrix-wait', 'waiting') }, body: { type: 'GO' } }) },
    'POST /v1/runs/:id/retry':                       { ok: 200, make: async () => ({ params: { id: await runIn('matrix-fail', 'failed') } }) },
    'GET /v1/views':                                 { ok: 200, make: async () => ({}) },
    'GET /v1/views/:id':                             { ok: 200, make: async () => ({ params: { id: (await create('/v1/views', { name: unique('view'), filter: { status: ['open'] } })).id as string } }) },
    'POST /v1/views':                                { ok: 201, make: async () => ({ body: { name: unique('view'), filter: { status: ['pending'] } } }) },
    'DELETE /v1/views/:id':                          { ok: 204, make: async () => ({ params: { id: (await create('/v1/views', { name: unique('view'), filter: { type: ['person'] } })).id as string } }) },
    'POST /v1/admin/organizations':                  { ok: 201, make: async () => ({ body: { name: 'Matrix org', slug: unique('matrix-org') } }) },
    'GET /v1/admin/api-keys':                        { ok: 200, make: async () => ({}) },
    'POST /v1/admin/api-keys':                       { ok: 201, make: async () => ({ body: { role: 'admin', name: unique('escalation') } }) },
    'DELETE /v1/admin/api-keys/:id':                 { ok: 204, make: async () => ({ params: { id: (await create('/v1/admin/api-keys', { role: 'pipeline', name: unique('doomed') })).id as string } }) },
    'GET /v1/admin/statuses':                        { ok: 200, make: async () => ({}) },
    'POST /v1/admin/statuses':                       { ok: 201, make: async () => ({ body: { set: 'kyb', key: unique('held'), label: 'Held', category: 'pending' } }) },
    'DELETE /v1/admin/statuses/:set/:key':           { ok: 204, make: async () => ({ params: { set: 'kyb', key: (await create('/v1/admin/statuses', { set: 'kyb', key: unique('gone'), label: 'Gone', category: 'pending' })).key as string } }) },
  };
  const recipe = (route: string) => Object.entries(RECIPES).find(([name]) => normalize(name) === route)?.[1];

  /** Fills the route's own path template, so the call is exactly the route the table names. */
  const pathOf = (route: string, call: Call) =>
    route.split(' ')[1].replace(/:(\w+)/g, (_, name: string) => {
      if (call.params?.[name] === undefined) throw new Error(`the recipe of ${route} gives no :${name}`);
      return encodeURIComponent(String(call.params[name]));
    });

  const send = (route: string, call: Call, authorization?: string): Promise<Response> => {
    const [method] = route.split(' ');
    const path = pathOf(route, call);
    const http = testApp.http();
    let request = method === 'GET' ? http.get(path) : method === 'POST' ? http.post(path) : method === 'PATCH' ? http.patch(path) : http.delete(path);
    if (authorization !== undefined) request = request.set('Authorization', authorization);
    return call.body === undefined ? request : request.send(call.body);
  };
  const bearer = (client: E2eClient) => `Bearer ${client.key}`;

  /** Refused calls share one prepared request per route: a refusal must leave it as it was. */
  const refusable = new Map<string, Promise<Call>>();
  const refusableCall = async (route: string) => {
    if (!refusable.has(route)) refusable.set(route, recipe(route)!.make());
    const call = await refusable.get(route)!;
    await waitForQuiet(db);
    return call;
  };
  /** Sends a call that must be refused, and checks that the database is exactly as before it. */
  const refused = async (route: string, call: Call, authorization?: string) => {
    const before: DbFingerprint = await fingerprint(db);
    const response = await send(route, call, authorization);
    expect({ route, writes: changedTables(before, await fingerprint(db)) }).toEqual({ route, writes: [] });
    return response;
  };
  const changedTables = (before: DbFingerprint, after: DbFingerprint) =>
    Object.keys({ ...before, ...after }).filter((table) => JSON.stringify(before[table]) !== JSON.stringify(after[table]));

  beforeAll(async () => {
    testApp = await startTestApp('authz_matrix');
    db = testApp.get(DataSource);
    discovered = discoverRoutes(testApp.app);
    home.admin = new E2eClient(testApp, testApp.adminKey);
    [home.author, home.pipeline, home.reviewer] = await Promise.all((['author', 'pipeline', 'reviewer'] as const).map((role) => E2eClient.issue(testApp, role)));
    for (const definition of [waitDefinition, failingDefinition]) await create('/v1/workflows', definition);

    const organization = await create('/v1/admin/organizations', { name: 'Other Bank', slug: 'other-bank' });
    other.admin = new E2eClient(testApp, organization.apiKey as string, organization.apiKeyId as string);
    [other.author, other.pipeline, other.reviewer] = await Promise.all(
      (['author', 'pipeline', 'reviewer'] as const).map((role) => E2eClient.issue(testApp, role, other.admin.key)),
    );
  });

  afterAll(async () => {
    await testApp?.close();
  });

  describe('the table, the decorators and the served routes agree', () => {
    const decisionOf = (route: DiscoveredRoute): Access | string =>
      route.decision.kind === 'public'
        ? 'public'
        : route.decision.kind === 'undecided'
          ? `no decision: ${route.handler} has neither @Roles nor @Public`
          : [...new Set<Role>(['admin', ...route.decision.roles])].sort();

    it('(a) every route the app serves is in the table', () => {
      const missing = discovered.filter((route) => !(route.route in TABLE)).map((route) => `${route.route} (${route.handler})`);
      expect(missing).toEqual([]);
    });

    it('(b) every route of the table is still served', () => {
      const served = new Set(discovered.map((route) => route.route));
      expect(ROUTES.filter((route) => !served.has(route))).toEqual([]);
    });

    it.each(ROUTES)('(c) %s: @Roles/@Public grant what the table says', (route) => {
      const found = discovered.filter((candidate) => candidate.route === route);
      const expected = TABLE[route] === 'public' ? 'public' : [...TABLE[route]].sort();
      expect(found.map(decisionOf)).toEqual(found.map(() => expected));
    });

    it('no two handlers claim the same route (the second would be unreachable, its decorators misleading)', () => {
      const routes = discovered.map((route) => route.route);
      expect(discovered.filter((route, i) => routes.indexOf(route.route) !== i).map((route) => `${route.route} (${route.handler})`)).toEqual([]);
    });

    it('the table names admin on every protected route and only known roles', () => {
      for (const route of PROTECTED) {
        expect({ route, admin: allowed(route).includes('admin'), unknown: allowed(route).filter((role) => !ROLES.includes(role)) }).toEqual({ route, admin: true, unknown: [] });
      }
    });

    it('Express serves exactly the discovered routes, besides Swagger UI (nothing mounted beside the guard)', () => {
      const fromNest = new Set(discovered.map((route) => route.route));
      const served = expressRoutes(testApp.app);
      expect(served.filter((route) => !fromNest.has(route) && !OUTSIDE_THE_GUARD.test(route))).toEqual([]);
      expect([...fromNest].filter((route) => !served.includes(route))).toEqual([]);
    });

    it('every route of the table has a recipe to call it, and every recipe a route', () => {
      expect(ROUTES.filter((route) => !recipe(route))).toEqual([]);
      expect(Object.keys(RECIPES).map(normalize).filter((route) => !(route in TABLE))).toEqual([]);
    });
  });

  describe('public routes answer without a key', () => {
    it.each(ROUTES.filter((route) => TABLE[route] === 'public'))('%s', async (route) => {
      const response = await send(route, await recipe(route)!.make());
      expect({ route, status: response.status }).toEqual({ route, status: recipe(route)!.ok });
    });
  });

  describe('no key: 401, and nothing written', () => {
    it.each(PROTECTED)('%s', async (route) => {
      expectError(await refused(route, await refusableCall(route)), 401, 'UNAUTHORIZED');
    });
  });

  describe('a bad key: 401, and nothing written', () => {
    it.each(PROTECTED)('%s', async (route) => {
      expectError(await refused(route, await refusableCall(route), 'Bearer cf_not-a-key-of-this-deployment-000000000000'), 401, 'UNAUTHORIZED');
    });
  });

  describe('a role the table leaves out: 403, and nothing written', () => {
    const cases = PROTECTED.flatMap((route) => ROLES.filter((role) => !allowed(route).includes(role)).map((role) => [route, role] as [string, Role]));

    it.each(cases)('%s as %s', async (route, role) => {
      const response = await refused(route, await refusableCall(route), bearer(home[role]));
      expectError(response, 403, 'FORBIDDEN');
      // The refusal says who may: the same roles as the table.
      expect(response.body.error.details.role).toBe(role);
      expect([...new Set(response.body.error.details.allowed)].sort()).toEqual([...allowed(route)].sort());
    });

    it('the 403 names each allowed role once', async () => {
      const answers: Record<string, unknown> = {};
      for (const route of PROTECTED) {
        const role = ROLES.find((candidate) => !allowed(route).includes(candidate))!;
        // Sorted but not deduplicated: a role named twice shows.
        answers[route] = [...(await refused(route, await refusableCall(route), bearer(home[role]))).body.error.details.allowed].sort();
      }
      expect(answers).toEqual(Object.fromEntries(PROTECTED.map((route) => [route, [...allowed(route)].sort()])));
    });
  });

  describe("another organization's allowed caller: 404 for this organization's resources, and nothing written", () => {
    const cases = PROTECTED.filter(hasResourceParam).flatMap((route) => allowed(route).map((role) => [route, role] as [string, Role]));

    it.each(cases)('%s as the other organization’s %s', async (route, role) => {
      const response = await refused(route, await refusableCall(route), bearer(other[role]));
      expectError(response, 404);
      // The resource's own "not found" (CASE_NOT_FOUND, ...), not a path that matched no route.
      expect(response.body.error.code).toMatch(/^(?!ROUTE_)[A-Z_]+_NOT_FOUND$/);
    });
  });

  describe('every allowed role gets its answer', () => {
    const cases = PROTECTED.flatMap((route) => allowed(route).map((role) => [route, role] as [string, Role]));

    it.each(cases)('%s as %s', async (route, role) => {
      const call = await recipe(route)!.make();
      await waitForQuiet(db);
      const before = await fingerprint(db);
      const response = await send(route, call, bearer(home[role]));
      const refusal = response.status >= 400 ? response.body : undefined;
      expect({ route, role, status: response.status, refusal }).toEqual({ route, role, status: recipe(route)!.ok, refusal: undefined });
      // Reads write nothing; every other call does (which also shows the fingerprint would see a refused call's write).
      const writes = changedTables(before, await fingerprint(db));
      expect({ route, writes: writes.length > 0 }).toEqual({ route, writes: !READ_ONLY.test(route) });
    });
  });
});


/**
 * The discovery itself, on a throw-away app: were it blind to a route or to how the guard merges
 * class and handler metadata, the matrix above would pass for the wrong reason.
 */
describe('route discovery (self-check)', () => {
  @Roles('reviewer')
  @Controller('things')
  class ThingsController {
    @Get(':id')
    get() {}

    @Post()
    @Roles('pipeline')
    create() {}

    @Get('open')
    @Public()
    open() {}

    helper() {}
  }

  @Controller(['new', 'newer'])
  class ForgottenController {
    @Delete(':id')
    remove() {}
  }

  it('sees every route under the global prefix, with the decision the guard would take', async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [ThingsController, ForgottenController] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.setGlobalPrefix('v1');
    await app.init();
    try {
      expect(discoverRoutes(app).map(({ route, decision }) => ({ route, decision }))).toEqual([
        { route: 'DELETE /v1/new/:id', decision: { kind: 'undecided' } },
        { route: 'DELETE /v1/newer/:id', decision: { kind: 'undecided' } },
        { route: 'GET /v1/things/:id', decision: { kind: 'roles', roles: ['reviewer'] } },
        { route: 'GET /v1/things/open', decision: { kind: 'public' } },
        { route: 'POST /v1/things', decision: { kind: 'roles', roles: ['pipeline'] } },
      ]);
      expect(expressRoutes(app)).toEqual(['DELETE /v1/new/:id', 'DELETE /v1/newer/:id', 'GET /v1/things/:id', 'GET /v1/things/open', 'POST /v1/things']);
    } finally {
      await app.close();
    }
  });
});
