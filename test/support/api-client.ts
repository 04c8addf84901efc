import type { TestApp } from './test-app';

/** Small helpers over the HTTP API, so tests read as what a client does. */
export class ApiClient {
  constructor(
    private readonly testApp: TestApp,
    readonly key: string,
  ) {}

  static async withRole(testApp: TestApp, role: 'admin' | 'author' | 'pipeline' | 'reviewer'): Promise<ApiClient> {
    const response = await testApp.http().post('/v1/admin/api-keys').set('Authorization', `Bearer ${testApp.adminKey}`).send({ role, name: `test ${role}` });
    if (response.status !== 201) throw new Error(`could not issue a ${role} key: ${response.status} ${JSON.stringify(response.body)}`);
    return new ApiClient(testApp, response.body.apiKey);
  }

  /** Publishes definitions as an author; any answer but 201 fails the suite's set-up. */
  static async publish(testApp: TestApp, ...definitions: object[]): Promise<void> {
    const author = await ApiClient.withRole(testApp, 'author');
    for (const definition of definitions) {
      const response = await author.post('/v1/workflows', definition);
      if (response.status !== 201) throw new Error(`could not publish a definition: ${response.status} ${JSON.stringify(response.body)}`);
    }
  }

  get(path: string) {
    return this.testApp.http().get(path).set('Authorization', `Bearer ${this.key}`);
  }

  post(path: string, body?: unknown) {
    const req = this.testApp.http().post(path).set('Authorization', `Bearer ${this.key}`);
    return body === undefined ? req : req.send(body as object);
  }

  /** Polls a run until `done` says so, failing with the last run seen after `timeoutMs`. */
  async waitForRun(runId: string, done: (run: RunBody) => boolean, timeoutMs = 15_000): Promise<RunBody> {
    const deadline = Date.now() + timeoutMs;
    let last: RunBody | undefined;
    while (Date.now() < deadline) {
      const response = await this.get(`/v1/runs/${runId}`);
      if (response.status !== 200) throw new Error(`GET run ${runId}: ${response.status} ${JSON.stringify(response.body)}`);
      last = response.body as RunBody;
      if (done(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`run ${runId} did not get there in ${timeoutMs} ms; last seen: ${JSON.stringify(last, null, 2)}`);
  }

  /** Waits until the run rests: waiting for an event, completed or failed. */
  settled(runId: string, timeoutMs?: number) {
    return this.waitForRun(runId, (run) => run.status !== 'running', timeoutMs);
  }
}

export interface RunBody {
  id: string;
  caseId: string;
  workflow: string;
  version: number;
  status: string;
  state: string;
  context: { steps: Record<string, { output?: unknown; error?: { code: string; message: string } }> };
  error: { code: string; message: string; stepId?: string } | null;
  states: Array<{ state: string; at: string }>;
  steps: Array<{ id: string; stepId: string; state: string; status: string; attempts: number; output: unknown; error: { code: string; message: string } | null }>;
  events: Array<{ type: string; at: string; accepted: boolean }>;
}
