import type { ActionDescriptor, ValidationOptions } from '../engine.types';

/** A small action catalog shaped like the real one, with params schemas written for the tests. */
export const testActions: ActionDescriptor[] = [
  {
    name: 'case.updateStatus',
    paramsSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['status'],
      properties: {
        status: { type: 'string', minLength: 1 },
        case: { type: 'string' },
        reason: { type: 'string' },
        reopen: { type: 'boolean' },
      },
    },
    statusParams: ['status'],
  },
  {
    name: 'case.assign',
    paramsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { queue: { type: 'string' }, userId: { type: 'string' } },
    },
  },
  {
    name: 'case.putBlock',
    paramsSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['block', 'data'],
      properties: { block: { type: 'string' }, data: {} },
    },
  },
  {
    name: 'http.request',
    paramsSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['method', 'url'],
      properties: {
        method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
        url: { type: 'string', format: 'uri' },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
        body: {},
        timeoutMs: { type: 'integer', minimum: 1 },
        saveAs: { type: 'string' },
      },
    },
  },
  {
    name: 'webhook.send',
    paramsSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: { url: { type: 'string', format: 'uri' }, payload: {} },
    },
  },
];

export const kybStatuses = new Set([
  'new',
  'collection_flow',
  'pending_process',
  'manual_review',
  'approved',
  'rejected',
]);

export function testOptions(overrides: Partial<ValidationOptions> = {}): ValidationOptions {
  return {
    actions: new Map(testActions.map((a) => [a.name, a])),
    statusSets: new Map([
      ['kyb', kybStatuses],
      ['default', new Set(['open', 'closed'])],
    ]),
    ...overrides,
  };
}
