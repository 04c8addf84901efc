import { CHAOS_CASE_TYPE, CHAOS_STATUS_SET, CHAOS_STATUSES, CHAOS_WORKFLOW, CHAOS_WORKFLOW_KEY } from './chaos-workflow';
import type { ExpectedRun } from './chaos-verify';

const REQUEST_TIMEOUT_MS = 15_000;
/** How long one case keeps being retried while the API or PostgreSQL is down. */
const GIVE_UP_AFTER_MS = 180_000;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 300)}`);
  }
}

/** A pipeline talking to the API over HTTP, as production clients do. */
export class ChaosClient {
  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
  ) {}

  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    if (!response.ok) throw new HttpError(response.status, text, `${method} ${path}`);
    return text ? JSON.parse(text) : undefined;
  }

  async waitReady(timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      try {
        await this.request('GET', '/v1/health/ready');
        return;
      } catch (error) {
        last = (error as Error).message;
      }
      if (!isAlive()) throw new Error(`the API exited before it was ready (${last})`);
      await sleep(250);
    }
    throw new Error(`the API was not ready within ${timeoutMs} ms: ${last}`);
  }

  /** The chaos status set, then the workflow that walks it. */
  async setUp(): Promise<number> {
    for (const status of CHAOS_STATUSES) {
      await this.request('POST', '/v1/admin/statuses', { set: CHAOS_STATUS_SET, setLabel: 'Chaos run', ...status });
    }
    const published = (await this.request('POST', '/v1/workflows', CHAOS_WORKFLOW)) as { version: number };
    return published.version;
  }
}

export interface LoadProgress {
  acknowledged: ExpectedRun[];
  /** Requests that failed and were tried again, by HTTP status or error name. */
  failures: Map<string, number>;
  /** Cases given up on after GIVE_UP_AFTER_MS of failures. */
  abandoned: number;
  done: boolean;
}

/**
 * Creates `runs` cases that start the chaos workflow, `concurrency` requests at a time. A request
 * that fails for want of the API or the database is tried again; if its first try had committed
 * after all, PostgreSQL holds one more run than was acknowledged, which the verification covers.
 */
export async function loadRuns(client: ChaosClient, runs: number, concurrency: number, progress: LoadProgress): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < runs) {
      const seq = next++;
      const started = Date.now();
      for (let attempt = 1; ; attempt++) {
        try {
          const created = (await client.request('POST', '/v1/cases', { type: CHAOS_CASE_TYPE, workflow: CHAOS_WORKFLOW_KEY, data: { seq } })) as {
            id: string;
            runs: Array<{ id: string }>;
          };
          progress.acknowledged.push({ caseId: created.id, runId: created.runs[0].id });
          break;
        } catch (error) {
          const kind = error instanceof HttpError ? `HTTP ${error.status}` : ((error as Error).cause as Error | undefined)?.message ?? (error as Error).name;
          if (error instanceof HttpError && error.status >= 400 && error.status < 500 && error.status !== 429) throw error;
          progress.failures.set(kind, (progress.failures.get(kind) ?? 0) + 1);
          if (Date.now() - started > GIVE_UP_AFTER_MS) {
            progress.abandoned++;
            break;
          }
          await sleep(Math.min(250 * attempt, 2000));
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    progress.done = true;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
