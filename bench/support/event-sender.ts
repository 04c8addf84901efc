/**
 * The latency section's client: POST /v1/runs/:id/events and /v1/cases/:id/status over a fixed
 * pool of keep-alive connections, as a pipeline's HTTP client would hold. With fetch's default of
 * a new connection whenever every open one is busy, an open-loop load past the API's pace opened
 * thousands of sockets and the connection churn took the CPU the API needed. A request that waits for a free
 * connection still counts that wait: its latency runs from the moment it was due to leave.
 */
import { Agent, request } from 'node:http';

const TIMEOUT_MS = 15_000;

export class EventSender {
  private readonly agent: Agent;

  constructor(
    private readonly port: number,
    private readonly key: string,
    connections: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  /** Sends the event; resolves with the run as the API answers it. */
  send(runId: string, type: string): Promise<{ steps: Array<{ id: string }> }> {
    return this.post(`/v1/runs/${runId}/events`, { type });
  }

  /** Sets the case's status as a pipeline does; resolves with the case as the API answers it. */
  setStatus(caseId: string, status: string): Promise<{ status: string }> {
    return this.post(`/v1/cases/${caseId}/status`, { status, reason: 'bench' });
  }

  private post<T>(path: string, payload: object): Promise<T> {
    const body = JSON.stringify(payload);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          method: 'POST',
          path,
          agent: this.agent,
          timeout: TIMEOUT_MS,
          headers: { authorization: `Bearer ${this.key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 500) < 300) resolve(JSON.parse(text) as T);
            else reject(new Error(`POST ${path}: ${res.statusCode} ${text.slice(0, 200)}`));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
