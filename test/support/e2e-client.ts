import type { Response } from 'supertest';
import { ApiClient } from './api-client';
import type { TestApp } from './test-app';

export type Role = 'admin' | 'author' | 'pipeline' | 'reviewer';

/** ApiClient plus what the e2e suites also need: PATCH, DELETE, raw bodies, and the id of the key it uses. */
export class E2eClient extends ApiClient {
  constructor(
    private readonly target: TestApp,
    key: string,
    readonly keyId?: string,
  ) {
    super(target, key);
  }

  /** Issues a key through POST /v1/admin/api-keys with the given admin key, as a client would. */
  static async issue(testApp: TestApp, role: Role, adminKey: string = testApp.adminKey): Promise<E2eClient> {
    const response = await testApp.http().post('/v1/admin/api-keys').set('Authorization', `Bearer ${adminKey}`).send({ role, name: `e2e ${role}` });
    if (response.status !== 201) throw new Error(`could not issue a ${role} key: ${response.status} ${JSON.stringify(response.body)}`);
    return new E2eClient(testApp, response.body.apiKey, response.body.id);
  }

  patch(path: string, body: object) {
    return this.target.http().patch(path).set('Authorization', `Bearer ${this.key}`).send(body);
  }

  delete(path: string) {
    return this.target.http().delete(path).set('Authorization', `Bearer ${this.key}`);
  }

  /** POSTs a body exactly as given, for malformed or oversized JSON. */
  postText(path: string, text: string, contentType = 'application/json') {
    return this.target.http().post(path).set('Authorization', `Bearer ${this.key}`).set('Content-Type', contentType).send(text);
  }
}

/**
 * Asserts the error envelope `{ error: { code, message, details? } }` with the given status and
 * code, and that nothing of the server's insides (a stack trace) leaks into the answer.
 */
export function expectError(response: Response, status: number, code?: string): void {
  // Status and body in one object, so a failure shows what the server did say.
  expect({ status: response.status, body: response.body }).toMatchObject({
    status,
    body: { error: { code: code ?? expect.any(String), message: expect.any(String) } },
  });
  expect(Object.keys(response.body)).toEqual(['error']);
  expect(Object.keys(response.body.error).sort()).toEqual(expect.arrayContaining(['code', 'message']));
  for (const key of Object.keys(response.body.error)) expect(['code', 'message', 'details']).toContain(key);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.text).not.toMatch(/\bat .+\.(ts|js):\d+|"stack"/);
}

/** The timeline fields of a step execution the e2e suites read (RunBody leaves the timestamps out). */
export interface TimelineStep {
  stepId: string;
  state: string;
  action: string;
  status: string;
  attempts: number;
  error: { code: string; message: string } | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

/** An asymmetric matcher for "any of these values", so a failure still prints the value seen. */
export function oneOf<T>(...values: T[]) {
  return {
    $$typeof: Symbol.for('jest.asymmetricMatcher'),
    asymmetricMatch: (actual: unknown) => values.includes(actual as T),
    toString: () => `oneOf(${values.join(', ')})`,
    toAsymmetricMatcher: () => `oneOf(${values.join(', ')})`,
  };
}
