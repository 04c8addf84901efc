/**
 * JSON Schema (draft-07) of the workflow definition format (SPEC §2). It is served by the API, so it
 * is plain data; the validator adds the checks a schema cannot express (targets, reachability...).
 *
 * `on` values use if/then/else rather than oneOf so a mistake inside one form is reported against
 * that form only, instead of one error per alternative.
 */

const NAME_PATTERN = '^[A-Za-z0-9_-]+$';

const guardedTarget = {
  type: 'object',
  additionalProperties: false,
  required: ['target'],
  properties: {
    target: { type: 'string', minLength: 1 },
    // JSONLogic: its operators are checked by the validator, not here.
    guard: { type: ['object', 'boolean'] },
  },
} as const;

const transition = {
  type: ['string', 'object', 'array'],
  if: { type: 'string' },
  then: { minLength: 1 },
  else: {
    if: { type: 'array' },
    then: { minItems: 1, items: { $ref: '#/definitions/guardedTarget' } },
    else: { $ref: '#/definitions/guardedTarget' },
  },
} as const;

const step = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'action'],
  properties: {
    id: { type: 'string', pattern: NAME_PATTERN, maxLength: 100 },
    action: { type: 'string', minLength: 1 },
    // Free-form: each action checks its own params with its params schema.
    params: { type: 'object' },
    retry: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxAttempts: { type: 'integer', minimum: 1, maximum: 25 },
        backoff: {
          type: 'object',
          additionalProperties: false,
          required: ['type', 'delayMs'],
          properties: {
            type: { enum: ['fixed', 'exponential'] },
            delayMs: { type: 'integer', minimum: 0, maximum: 3_600_000 },
          },
        },
      },
    },
    continueOnError: { type: 'boolean' },
  },
} as const;

const state = {
  type: 'object',
  additionalProperties: false,
  properties: {
    type: { const: 'final' },
    steps: { type: 'array', items: { $ref: '#/definitions/step' } },
    next: { type: 'string', minLength: 1 },
    onError: { type: 'string', minLength: 1 },
    on: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_.]*$', maxLength: 100 },
      additionalProperties: { $ref: '#/definitions/transition' },
    },
  },
} as const;

export const workflowDefinitionSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Caseflow workflow definition',
  type: 'object',
  additionalProperties: false,
  required: ['key', 'name', 'initial', 'states'],
  properties: {
    $schema: { type: 'string' },
    key: { type: 'string', pattern: '^[a-z0-9][a-z0-9-_]*$', maxLength: 100 },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string' },
    caseType: { type: 'string', minLength: 1 },
    statusSet: { type: 'string', minLength: 1 },
    initial: { type: 'string', minLength: 1 },
    states: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: NAME_PATTERN, maxLength: 100 },
      additionalProperties: { $ref: '#/definitions/state' },
    },
  },
  definitions: { state, step, transition, guardedTarget },
} as const;
