/**
 * The latency section's client: POST /v1/runs/:id/events and /v1/cases/:id/status over a fixed
 * pool of keep-alive connections, as a pipeline's HTTP client would hold. With fetch's default of
 * a new connection whenever every open one is busy, an open-loop load past the API's pace opened
 * thousands of sockets and the connection churn took the CPU the API needed. A request that waits
 * for a free connection still counts that wait: its latency runs from the moment it was due to leave.
 *
 * The client shares the machine's two cores with what it measures, so it should take as little of
 * them as it can: undici's Pool took a fifth less CPU per request than node:http's Agent, CPU the
 * API and PostgreSQL then have (docs/performance.md).
 */
import { Pool } from 'undici';

const TIMEOUT_MS = 15_000;

export class EventSender {
  private readonly pool: Pool;
  private readonly authorization: string;

  constructor(port: number, key: string, connections: number) {
    this.pool = new Pool(`http://127.0.0.1:${port}`, { connections, pipelining: 1, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
    this.authorization = `Bearer ${key}`;
  }

  /** Sends the event; resolves with the run as the API answers it. */
  send(runId: string, type: string): Promise<{ steps: Array<{ id: string }> }> {
    return this.post(`/v1/runs/${runId}/events`, { type });
  }

  /** Sets the case's status as a pipeline does; resolves with the case as the API answers it. */
  setStatus(caseId: string, status: string): Promise<{ status: string }> {
    return this.post(`/v1/cases/${caseId}/status`, { status, reason: 'bench' });
  }

  private async post<T>(path: string, payload: object): Promise<T> {
    const { statusCode, body } = await this.pool.request({
      path,
      method: 'POST',
      headers: { authorization: this.authorization, 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    const text = await body.text();
    if (statusCode >= 300) throw new Error(`POST ${path}: ${statusCode} ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
