import { collectDefaultMetrics, Counter, Histogram, register } from 'prom-client';

/**
 * The process's Prometheus metrics (SPEC §6: `GET /metrics`), on prom-client's default registry:
 * one registry per process, so `npm start` shows the API's and the worker's figures together.
 * Label values come from fixed sets (route templates, outcomes, batch names), never from ids or
 * request data, so the series stay few and carry no customer data.
 */
export const METRICS_PREFIX = 'caseflow_';

/** Every request the API takes (health probes and scrapes aside), by route template (`/v1/runs/:id/events`), method and status class. */
export const httpRequestDuration = new Histogram({
  name: `${METRICS_PREFIX}http_request_duration_seconds`,
  help: 'Time from a request reaching the API to its answer being written, by route template, method and status class (2xx to 5xx, or aborted when the client left first).',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

/**
 * Group commits (events, status updates, step batches): how many items each
 * flush carried, and how long its transaction or statement took. Small batches under load mean
 * a transaction per request; see docs/performance.md.
 */
export const batchSize = new Histogram({
  name: `${METRICS_PREFIX}batch_size`,
  help: 'Items one group-commit flush carried, by batch.',
  labelNames: ['batch'] as const,
  buckets: [1, 2, 4, 8, 16, 32, 64],
});

export const batchDuration = new Histogram({
  name: `${METRICS_PREFIX}batch_duration_seconds`,
  help: 'Time one group-commit flush took, by batch and outcome (ok: it answered its items; error: it failed as a whole).',
  labelNames: ['batch', 'outcome'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
});

/** Step attempts the worker finished, by what became of them. */
export const stepAttempts = new Counter({
  name: `${METRICS_PREFIX}step_attempts_total`,
  help: 'Step attempts a worker finished, by outcome: succeeded, failed, skipped, noop (delivered twice), retry (failed, attempts left), delayed (PostgreSQL or Redis away), error.',
  labelNames: ['outcome'] as const,
});

export const stepAttemptDuration = new Histogram({
  name: `${METRICS_PREFIX}step_attempt_duration_seconds`,
  help: 'Time a worker spent on one step attempt, from taking the job to its outcome.',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
});

let processMetrics = false;

/** Node's own figures (CPU, memory, event-loop delay, garbage collection), once per process. */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ prefix: METRICS_PREFIX });
}

/** The exposition text of every metric of the process, and its content type. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: register.contentType, body: await register.metrics() };
}
