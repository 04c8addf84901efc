import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { Response as HttpResponse } from 'supertest';
import { E2eClient } from '../support/e2e-client';
import { discoverRoutes } from '../support/route-discovery';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The OpenAPI document at /docs-json against the routes the application really serves (SPEC §6:
 * "OpenAPI at /docs with every DTO and error documented"). A route added without a summary, a
 * response schema or its error answers fails here, with every problem listed at once.
 */

type Schema = { $ref?: string; [key: string]: unknown };
type Response = { description?: string; content?: { 'application/json'?: { schema?: Schema }; 'text/plain'?: { schema?: Schema } } };
type Operation = {
  summary?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: { content?: { 'application/json'?: { schema?: Schema } } };
  responses?: Record<string, Response>;
};
type OpenApiDocument = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema>; securitySchemes: Record<string, unknown> } };

interface Route {
  method: string;
  path: string;
  isPublic: boolean;
  rateLimited: boolean;
}

const ERROR_REF = '#/components/schemas/ErrorResponse';
const DEFINITION_REF = '#/components/schemas/WorkflowDefinition';
/** Every route the application serves, from Nest's own metadata, with what its guards do. */
function servedRoutes(testApp: TestApp): Route[] {
  return discoverRoutes(testApp.app).map((route) => ({
    method: route.method.toLowerCase(),
    path: route.path.replace(/:([^/]+)/g, '{$1}'),
    isPublic: route.decision.kind === 'public',
    rateLimited: route.rateLimited,
  }));
}

/**
 * A component schema as a validator of real answers: objects may not carry undocumented fields,
 * and OpenAPI 3.0's `nullable` becomes the null type JSON Schema validators understand.
 */
function strictSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictSchema);
  if (!node || typeof node !== 'object') return node;
  const { example: _example, nullable, ...rest } = node as Record<string, unknown>;
  const out: Record<string, unknown> = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [
      key,
      key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([name, schema]) => [name, strictSchema(schema)])) : strictSchema(value),
    ]),
  );
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return nullable ? { anyOf: [{ type: 'null' }, out] } : out;
}

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => refsIn(item, found));
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') found.push(child);
      else refsIn(child, found);
    }
  }
  return found;
}

describe('OpenAPI document (/docs-json)', () => {
  let testApp: TestApp;
  let document: OpenApiDocument;
  let routes: Route[];
  const operation = (route: Route) => document.paths[route.path]?.[route.method];
  const documented = () => routes.filter((route) => operation(route)).map((route) => ({ route, op: operation(route)! }));
  const label = (route: Route) => `${route.method.toUpperCase()} ${route.path}`;

  beforeAll(async () => {
    testApp = await startTestApp('openapi');
    const response = await testApp.http().get('/docs-json');
    expect(response.status).toBe(200);
    document = response.body as OpenApiDocument;
    routes = servedRoutes(testApp);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  it('documents every route the application serves, and only those', () => {
    expect(routes.length).toBeGreaterThan(30);
    const served = routes.map(label).sort();
    const inDocument = Object.entries(document.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(inDocument).toEqual(served);
  });

  it('gives every operation a summary', () => {
    expect(documented().filter(({ op }) => !op.summary?.trim()).map(({ route }) => label(route))).toEqual([]);
  });

  it('declares the bearer key, 401 and 403 on every route behind the key guard, and neither on public ones', () => {
    expect(Object.keys(document.components.securitySchemes)).toEqual(['bearer']);
    const problems: string[] = [];
    for (const { route, op } of documented()) {
      const bearer = (op.security ?? []).some((requirement) => 'bearer' in requirement);
      const auth = ['401', '403'].filter((status) => op.responses?.[status]);
      if (route.isPublic && (bearer || auth.length)) problems.push(`${label(route)} is public but documents a key or ${auth.join(', ')}`);
      if (!route.isPublic && !bearer) problems.push(`${label(route)} does not declare bearer security`);
      if (!route.isPublic && auth.length !== 2) problems.push(`${label(route)} does not document both 401 and 403`);
    }
    expect(problems).toEqual([]);
  });

  it('documents 429 exactly on the rate-limited routes', () => {
    const wrong = documented().filter(({ route, op }) => Boolean(op.responses?.['429']) !== route.rateLimited);
    expect(wrong.map(({ route }) => `${label(route)} (rate limited: ${route.rateLimited})`)).toEqual([]);
  });

  it('describes every error answer with the ErrorResponse envelope', () => {
    const problems = documented().flatMap(({ route, op }) =>
      Object.entries(op.responses ?? {})
        .filter(([status]) => Number(status) >= 400)
        .filter(([, response]) => response.content?.['application/json']?.schema?.$ref !== ERROR_REF || !response.description?.trim())
        .map(([status]) => `${label(route)} ${status}`),
    );
    expect(problems).toEqual([]);
  });

  it('documents a 2xx answer with a schema on every operation (204 has no body; /metrics answers in text)', () => {
    const problems = documented()
      .filter(({ op }) => {
        const success = Object.entries(op.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
        return !success.some(([status, response]) => status === '204' || response.content?.['application/json']?.schema || response.content?.['text/plain']?.schema);
      })
      .map(({ route }) => label(route));
    expect(problems).toEqual([]);
  });

  it('documents 400 and 413 with every request body, and 404 with every path parameter', () => {
    const problems: string[] = [];
    for (const { route, op } of documented()) {
      const has = (status: string) => Boolean(op.responses?.[status]);
      if (op.requestBody && !(has('400') && has('413'))) problems.push(`${label(route)} takes a body but misses 400 or 413`);
      if (route.path.includes('{') && !has('404')) problems.push(`${label(route)} has path parameters but no 404`);
    }
    expect(problems).toEqual([]);
  });

  it('refers every request body to a component schema, the definition routes to WorkflowDefinition', () => {
    const problems: string[] = [];
    for (const { route, op } of documented()) {
      if (!op.requestBody) continue;
      const ref = op.requestBody.content?.['application/json']?.schema?.$ref;
      const isDefinitionRoute = route.method === 'post' && (route.path === '/v1/workflows' || route.path === '/v1/workflows/validate');
      if (isDefinitionRoute ? ref !== DEFINITION_REF : !ref?.startsWith('#/components/schemas/')) problems.push(`${label(route)} body is ${ref ?? 'inline'}`);
    }
    expect(problems).toEqual([]);
  });

  it('lists each parameter once per operation (header names compared case-insensitively)', () => {
    const problems: string[] = [];
    for (const { route, op } of documented()) {
      const names = (op.parameters ?? []).map((parameter) => `${parameter.in}:${parameter.name.toLowerCase()}`);
      const duplicated = names.filter((name, index) => names.indexOf(name) !== index);
      if (duplicated.length) problems.push(`${label(route)}: ${duplicated.join(', ')}`);
      const requiredHeaders = (op.parameters ?? []).filter((parameter) => parameter.in === 'header' && parameter.required);
      if (requiredHeaders.length) problems.push(`${label(route)}: required header ${requiredHeaders.map((parameter) => parameter.name).join(', ')}`);
    }
    expect(problems).toEqual([]);
  });

  it('defines every schema it refers to', () => {
    const missing = [...new Set(refsIn(document))].filter((ref) => !document.components.schemas[ref.replace('#/components/schemas/', '')]);
    expect(missing).toEqual([]);
    expect(refsIn(document).every((ref) => ref.startsWith('#/components/schemas/'))).toBe(true);
  });

  it('describes the error envelope as the error filter writes it', () => {
    const { ErrorResponse, ErrorBody } = document.components.schemas as Record<string, { properties: Record<string, Schema>; required?: string[] }>;
    expect(ErrorResponse.required).toEqual(['error']);
    expect(ErrorResponse.properties.error).toEqual({ $ref: '#/components/schemas/ErrorBody' });
    expect(Object.keys(ErrorBody.properties).sort()).toEqual(['code', 'details', 'message']);
    expect(ErrorBody.required?.sort()).toEqual(['code', 'message']);
  });

  it('describes the real answers: each matches its documented schema, with no undocumented field', async () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ components: strictSchema(document.components) }, 'doc');
    const problems: string[] = [];
    const check = (what: string, response: HttpResponse, status: number, schema: string) => {
      const validate = ajv.getSchema(`doc#/components/schemas/${schema}`)!;
      if (response.status !== status) problems.push(`${what}: ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
      else if (!validate(response.body)) {
        problems.push(...(validate.errors ?? []).map((error) => `${what}: ${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`));
      }
    };
    const admin = new E2eClient(testApp, testApp.adminKey);
    const [author, pipeline, reviewer] = await Promise.all((['author', 'pipeline', 'reviewer'] as const).map((role) => E2eClient.issue(testApp, role)));
    check('ready', await testApp.http().get('/v1/health/ready'), 200, 'ReadinessResponse');
    check('organization', await admin.post('/v1/admin/organizations', { name: 'Acme', slug: 'acme' }), 201, 'CreatedOrganizationResponse');
    check('api keys', await admin.get('/v1/admin/api-keys'), 200, 'ApiKeyListResponse');
    check('status sets', await admin.get('/v1/admin/statuses'), 200, 'StatusSetListResponse');
    check('new status', await admin.post('/v1/admin/statuses', { set: 'default', key: 'escalated', label: 'Escalated', category: 'pending' }), 201, 'CreatedStatusResponse');
    const definition = {
      key: 'openapi',
      name: 'OpenAPI',
      caseType: 'person',
      initial: 'review',
      states: {
        review: { steps: [{ id: 'to-pending', action: 'case.updateStatus', params: { status: 'pending' } }], on: { CASE_APPROVED: 'approved', PING: 'review' } },
        approved: { type: 'final' },
      },
    };
    check('validate', await author.post('/v1/workflows/validate', { ...definition, initial: 'nope' }), 200, 'WorkflowValidationResponse');
    check('invalid publish', await author.post('/v1/workflows', { ...definition, initial: 'nope' }), 422, 'ErrorResponse');
    check('publish', await author.post('/v1/workflows', definition), 201, 'WorkflowPublishResponse');
    check('workflows', await author.get('/v1/workflows'), 200, 'WorkflowListResponse');
    check('workflow', await author.get('/v1/workflows/openapi'), 200, 'WorkflowResponse');
    check('version', await author.get('/v1/workflows/openapi/versions/1'), 200, 'WorkflowVersionResponse');
    const blocks = [
      { key: 'passport', type: 'document', title: 'Passport', data: { number: 'X1' } },
      { key: 'registry', type: 'registry_data', title: 'Registry', data: [1, 'two'] },
    ];
    const created = await pipeline.post('/v1/cases', { type: 'person', workflow: 'openapi', data: { name: 'Jane' }, blocks });
    check('create case', created, 201, 'CaseDetailResponse');
    const [caseId, runId] = [created.body.id, created.body.runs?.[0]?.id];
    await pipeline.settled(runId);
    check('case', await pipeline.get(`/v1/cases/${caseId}`), 200, 'CaseDetailResponse');
    check('event', await pipeline.post(`/v1/runs/${runId}/events`, { type: 'PING', payload: [1] }), 200, 'RunResponse');
    check('refused event', await pipeline.post(`/v1/runs/${runId}/events`, { type: 'NOPE' }), 409, 'ErrorResponse');
    check('block decision', await reviewer.post(`/v1/cases/${caseId}/blocks/passport/actions/request_reupload`, { reason: 'blurry' }), 200, 'CaseDetailResponse');
    check('block edit', await reviewer.patch(`/v1/cases/${caseId}/blocks/passport`, { data: 'retyped' }), 200, 'CaseDetailResponse');
    check('assign', await reviewer.post(`/v1/cases/${caseId}/assign`, { assignee: 'queue:senior' }), 200, 'CaseDetailResponse');
    check('tags', await reviewer.post(`/v1/cases/${caseId}/tags`, { add: ['vip'] }), 200, 'CaseDetailResponse');
    check('case list', await reviewer.get('/v1/cases?limit=1'), 200, 'CaseListPageResponse');
    check('case action', await reviewer.post(`/v1/cases/${caseId}/actions/request_reuploads`, { reason: 'again' }), 200, 'CaseActionResponse');
    const setStatus = () => pipeline.post(`/v1/cases/${caseId}/status`).set('Idempotency-Key', 'openapi-1').send({ status: 'pending' });
    check('status', await setStatus(), 200, 'CaseDetailResponse');
    check('status replayed', await setStatus(), 200, 'CaseDetailResponse');
    check('stale status', await pipeline.post(`/v1/cases/${caseId}/status`).set('If-Match', '"1"').send({ status: 'open' }), 412, 'ErrorResponse');
    check('approve', await reviewer.post(`/v1/cases/${caseId}/actions/approve`, {}), 200, 'CaseActionResponse');
    check('audit trail', await reviewer.get(`/v1/cases/${caseId}/events?limit=3`), 200, 'CaseEventPageResponse');
    check('ended run', await pipeline.settled(runId).then(() => pipeline.get(`/v1/runs/${runId}`)), 200, 'RunResponse');
    const plain = await pipeline.post('/v1/cases', { type: 'person' });
    check('start run', await pipeline.post('/v1/runs', { caseId: plain.body.id, workflow: 'openapi' }), 201, 'RunResponse');
    const filter = { assignee: [null], data: [{ path: 'name', op: 'eq', value: 'Jane' }, { path: 'name', op: 'exists' }] };
    const view = await reviewer.post('/v1/views', { name: 'Jane', filter });
    check('new view', view, 201, 'ViewResponse');
    check('views', await reviewer.get('/v1/views'), 200, 'ViewListResponse');
    check('view', await reviewer.get(`/v1/views/${view.body.id}`), 200, 'CountedViewResponse');
    check('no key', await testApp.http().get('/v1/views'), 401, 'ErrorResponse');
    check('wrong role', await author.get('/v1/views'), 403, 'ErrorResponse');
    check('bad body', await pipeline.post('/v1/cases', { kind: 'person' }), 400, 'ErrorResponse');
    expect(problems).toEqual([]);
  });
});
