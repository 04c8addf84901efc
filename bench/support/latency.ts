/**
 * Latency from an event, or a pipeline's status update, to its committed status, under an
 * open-loop load: requests leave at fixed
 * intervals whether or not earlier ones have been answered, as independent pipelines send them,
 * so a slow answer delays no later request and cannot hide itself.
 */
import type { ChaosDatabase } from '../../scripts/chaos/chaos-database';
import { sleep } from '../../scripts/chaos/chaos-load';
import type { EventSender } from './event-sender';
import { percentile } from './case-list.scenarios';
import { LATENCY_EVENT, PING, PONG } from './bench-workflows';
import { cpuBetween, cpuSnapshot, CpuUsage } from './cpu-usage';

export interface LatencyResult {
  /** Events a second asked for, and actually sent over the measured window. */
  targetRate: number;
  sentRate: number;
  /** Runs the events went to (or cases the status updates went to). */
  runs: number;
  sent: number;
  measured: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** HTTP answer of the event (the run's transition committed, its step queued). */
  ackP50Ms: number;
  ackP99Ms: number;
  /** How late requests left against their schedule: large values mean the client, not the engine, was the limit. */
  sendLagP99Ms: number;
  requestErrors: number;
  /** Events whose step did not succeed (skipped, failed, or never finished); status updates answered with another status. */
  stepsNotSucceeded: number;
  /**
   * Requests a second that completed (their status committed) over the sending, whenever they
   * were sent: the sent rate while the path keeps up, less once it falls behind.
   */
  completedRate: number;
  /**
   * CPU the whole machine spent per completed request over the sending (every process: the API,
   * the worker, PostgreSQL, Redis, this client, the kernel; steal excluded). Less at the mercy of
   * other tenants than a p99, and it shows what batching saves: flushes that carry more requests
   * cost less per request. Per request completed, not sent: a path that falls behind would
   * otherwise look cheaper than it is.
   */
  machineCpuMsPerRequest: number;
  /** Over the sending: the API's and the worker's CPU (% of one core) and the machine's. */
  apiCpu: CpuUsage;
  workerCpu: CpuUsage;
  /** The bench's own process, sending the events: it shares the machine with what it measures. */
  loadGeneratorCpu: CpuUsage;
}

interface Sent<T> {
  warmUp: boolean;
  dueAt: number;
  sentAt: number;
  ackMs?: number;
  /** What the answer said that the measure needs (for an event, the step it scheduled). */
  value?: T;
  error?: string;
}

/** Wall-clock time in ms with sub-ms precision, comparable with PostgreSQL's clock_timestamp() on this machine. */
const wallNow = () => performance.timeOrigin + performance.now();

interface OpenLoopOptions {
  apiPid: number;
  workerPid: number;
  rate: number;
  warmUpS: number;
  measureS: number;
  progress: (message: string) => void;
}

/**
 * Sends `send(i)` at `rate` a second for warmUpS + measureS seconds, whether or not earlier
 * requests have been answered, and takes the CPU of the API, the worker and this process over the
 * measured part.
 */
async function openLoop<T>(options: OpenLoopOptions, send: (i: number) => Promise<T>) {
  const { rate } = options;
  const interval = 1000 / rate;
  const warmCount = Math.round(options.warmUpS * rate);
  const total = warmCount + Math.round(options.measureS * rate);
  const sent: Array<Sent<T>> = [];
  const answers: Array<Promise<void>> = [];
  const start = wallNow() + 50;
  // The API, the worker and this process, which sends the requests.
  const watched = [options.apiPid, options.workerPid, process.pid];
  const snapshots = () => watched.map((pid) => cpuSnapshot(pid));
  let from = snapshots();
  for (let i = 0; i < total; i++) {
    if (i === warmCount) from = snapshots();
    const dueAt = start + i * interval;
    const wait = dueAt - wallNow();
    if (wait > 1) await sleep(wait - 0.5);
    const entry: Sent<T> = { warmUp: i < warmCount, dueAt, sentAt: wallNow() };
    sent.push(entry);
    answers.push(
      send(i).then(
        (value) => {
          entry.ackMs = wallNow() - entry.sentAt;
          entry.value = value;
        },
        (error: Error) => void (entry.error = error.message.slice(0, 200)),
      ),
    );
  }
  const sendingSeconds = (sent[sent.length - 1].sentAt - sent[warmCount].sentAt) / 1000;
  const [apiCpu, workerCpu, loadGeneratorCpu] = snapshots().map((to, k) => cpuBetween(from[k], to));
  await Promise.all(answers);
  return { sent, total, warmCount, sendingSeconds, cpu: { apiCpu, workerCpu, loadGeneratorCpu } };
}

/**
 * Sends GO to the runs round-robin at `rate` a second for warmUpS + measureS seconds. With
 * `runIds.length >= 3 * rate`, each run's previous step has had three seconds to finish before its
 * next event, so an event does not interrupt a step (if one does, it shows in stepsNotSucceeded).
 */
export async function measureLatency(options: OpenLoopOptions & { sender: EventSender; db: ChaosDatabase; runIds: string[] }): Promise<LatencyResult> {
  const { sender, db, runIds } = options;
  const loop = await openLoop(options, async (i) => {
    const run = await sender.send(runIds[i % runIds.length], LATENCY_EVENT);
    // The step the event scheduled: the newest step of the run the answer returns.
    return run.steps[run.steps.length - 1]?.id;
  });
  options.progress(`latency: ${loop.total} events sent; waiting for their steps`);
  await waitForSteps(db, runIds);

  const stepIds = loop.sent.flatMap((entry) => (entry.value ? [entry.value] : []));
  const steps = await db.query<{ id: string; status: string; finished_ms: number | null }>(
    `SELECT id, status, extract(epoch FROM finished_at) * 1000 AS finished_ms FROM step_executions WHERE id = ANY($1::uuid[])`,
    [stepIds],
  );
  const stepById = new Map(steps.map((step) => [step.id, step]));
  return latencyResult(options, runIds.length, loop, (entry) => {
    const step = entry.value ? stepById.get(entry.value) : undefined;
    return step && step.status === 'succeeded' && step.finished_ms !== null ? Number(step.finished_ms) - entry.sentAt : null;
  });
}

/**
 * The same open loop for pipelines' status updates: POST /v1/cases/:id/status round-robin over
 * cases, each request moving its case to the other of two statuses. The change is committed when
 * the answer comes, so the latency is the answer's.
 */
export async function measureStatusLatency(options: OpenLoopOptions & { sender: EventSender; caseIds: string[] }): Promise<LatencyResult> {
  const { sender, caseIds } = options;
  const updates = new Map<string, number>();
  const loop = await openLoop(options, async (i) => {
    const caseId = caseIds[i % caseIds.length];
    const n = (updates.get(caseId) ?? 0) + 1;
    updates.set(caseId, n);
    const status = n % 2 === 1 ? PING : PONG;
    // Applied as asked: the case the answer shows is in the status sent.
    return (await sender.setStatus(caseId, status)).status === status;
  });
  return latencyResult(options, caseIds.length, loop, (entry) => (entry.value ? (entry.ackMs as number) : null));
}

function latencyResult<T>(
  options: OpenLoopOptions,
  targets: number,
  loop: Awaited<ReturnType<typeof openLoop<T>>>,
  latencyOf: (entry: Sent<T>) => number | null,
): LatencyResult {
  const { sent, total, warmCount, sendingSeconds, cpu } = loop;
  const latencies: number[] = [];
  const acks: number[] = [];
  const lags: number[] = [];
  let notSucceeded = 0;
  for (const entry of sent) {
    if (entry.error || entry.warmUp) continue;
    lags.push(entry.sentAt - entry.dueAt);
    acks.push(entry.ackMs ?? 0);
    const latency = latencyOf(entry);
    if (latency === null) notSucceeded++;
    else latencies.push(latency);
  }
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const ms = sorted(latencies);
  const ackMs = sorted(acks);
  const requestErrors = sent.filter((entry) => entry.error).length;
  if (requestErrors > 0) options.progress(`latency: ${requestErrors} requests failed, e.g. ${sent.find((entry) => entry.error)?.error}`);
  const round = (value: number) => Math.round(value * 100) / 100;
  const sentRate = (total - warmCount - 1) / sendingSeconds;
  // Completed within the measured sending, warm-up requests included: what the path got through while the CPU was counted.
  const windowStart = sent[warmCount].sentAt;
  const windowEnd = sent[sent.length - 1].sentAt;
  const completed = sent.filter((entry) => {
    const latency = entry.error ? null : latencyOf(entry);
    return latency !== null && entry.sentAt + latency >= windowStart && entry.sentAt + latency <= windowEnd;
  }).length;
  const completedRate = completed / sendingSeconds;
  return {
    targetRate: round(options.rate),
    sentRate: round(sentRate),
    completedRate: round(completedRate),
    runs: targets,
    sent: total,
    measured: ms.length,
    p50Ms: round(percentile(ms, 50)),
    p90Ms: round(percentile(ms, 90)),
    p99Ms: round(percentile(ms, 99)),
    maxMs: round(ms[ms.length - 1]),
    ackP50Ms: round(percentile(ackMs, 50)),
    ackP99Ms: round(percentile(ackMs, 99)),
    sendLagP99Ms: round(percentile(sorted(lags), 99)),
    requestErrors,
    stepsNotSucceeded: notSucceeded,
    machineCpuMsPerRequest: round(cpu.apiCpu.machineCpuMsPerSecond / Math.max(completedRate, 1e-9)),
    ...cpu,
  };
}

async function waitForSteps(db: ChaosDatabase, runIds: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [row] = await db.query<{ pending: number }>(
      `SELECT count(*)::int AS pending FROM step_executions WHERE run_id = ANY($1::uuid[]) AND status IN ('queued', 'running')`,
      [runIds],
    );
    if (row.pending === 0) return;
    await sleep(200);
  }
}
