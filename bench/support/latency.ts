/**
 * Latency from an event to its committed status, under an open-loop load: requests leave at fixed
 * intervals whether or not earlier ones have been answered, as independent pipelines send them,
 * so a slow answer delays no later request and cannot hide itself.
 */
import type { ChaosDatabase } from '../../scripts/chaos/chaos-database';
import { sleep } from '../../scripts/chaos/chaos-load';
import type { EventSender } from './event-sender';
import { percentile } from './case-list.scenarios';
import { LATENCY_EVENT } from './bench-workflows';
import { cpuBetween, cpuSnapshot } from './cpu-usage';

export interface LatencyResult {
  /** Events a second asked for, and actually sent over the measured window. */
  targetRate: number;
  sentRate: number;
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
  /** Events whose step did not succeed (skipped, failed, or never finished). */
  stepsNotSucceeded: number;
  /** Over the sending: the API's and the worker's CPU (% of one core) and the machine's. */
  apiCpu: ReturnType<typeof cpuBetween>;
  workerCpu: ReturnType<typeof cpuBetween>;
  /** The bench's own process, sending the events: it shares the machine with what it measures. */
  loadGeneratorCpu: ReturnType<typeof cpuBetween>;
}

interface Sent {
  runId: string;
  warmUp: boolean;
  dueAt: number;
  sentAt: number;
  ackMs?: number;
  /** The step execution the event scheduled, from the answer. */
  stepId?: string;
  error?: string;
}

/** Wall-clock time in ms with sub-ms precision, comparable with PostgreSQL's clock_timestamp() on this machine. */
const wallNow = () => performance.timeOrigin + performance.now();

/**
 * Sends GO to the runs round-robin at `rate` a second for warmUpS + measureS seconds. With
 * `runIds.length >= 3 * rate`, each run's previous step has had three seconds to finish before its
 * next event, so an event does not interrupt a step (if one does, it shows in stepsNotSucceeded).
 */
export async function measureLatency(options: {
  sender: EventSender;
  db: ChaosDatabase;
  runIds: string[];
  apiPid: number;
  workerPid: number;
  rate: number;
  warmUpS: number;
  measureS: number;
  progress: (message: string) => void;
}): Promise<LatencyResult> {
  const { sender, db, runIds, rate } = options;
  const interval = 1000 / rate;
  const warmCount = Math.round(options.warmUpS * rate);
  const total = warmCount + Math.round(options.measureS * rate);
  const sent: Sent[] = [];
  const answers: Array<Promise<void>> = [];
  const start = wallNow() + 50;
  // The API, the worker and this process, which sends the events.
  const watched = [options.apiPid, options.workerPid, process.pid];
  const snapshots = () => watched.map((pid) => cpuSnapshot(pid));
  let from = snapshots();
  for (let i = 0; i < total; i++) {
    if (i === warmCount) from = snapshots();
    const dueAt = start + i * interval;
    const wait = dueAt - wallNow();
    if (wait > 1) await sleep(wait - 0.5);
    const entry: Sent = { runId: runIds[i % runIds.length], warmUp: i < warmCount, dueAt, sentAt: wallNow() };
    sent.push(entry);
    answers.push(
      sender.send(entry.runId, LATENCY_EVENT).then(
        (run) => {
          entry.ackMs = wallNow() - entry.sentAt;
          entry.stepId = run.steps[run.steps.length - 1]?.id;
        },
        (error: Error) => void (entry.error = error.message.slice(0, 200)),
      ),
    );
  }
  const sendingSeconds = (sent[sent.length - 1].sentAt - sent[warmCount].sentAt) / 1000;
  const [apiCpu, workerCpu, loadGeneratorCpu] = snapshots().map((to, k) => cpuBetween(from[k], to));
  await Promise.all(answers);
  options.progress(`latency: ${total} events sent; waiting for their steps`);
  await waitForSteps(db, runIds);

  // Each answer names the step its event scheduled (the newest step of the run it returns).
  const stepIds = sent.flatMap((entry) => (entry.stepId ? [entry.stepId] : []));
  const steps = await db.query<{ id: string; status: string; finished_ms: number | null }>(
    `SELECT id, status, extract(epoch FROM finished_at) * 1000 AS finished_ms FROM step_executions WHERE id = ANY($1::uuid[])`,
    [stepIds],
  );
  const stepById = new Map(steps.map((step) => [step.id, step]));
  const latencies: number[] = [];
  const acks: number[] = [];
  const lags: number[] = [];
  let notSucceeded = 0;
  for (const entry of sent) {
    if (entry.error) continue;
    const step = entry.stepId ? stepById.get(entry.stepId) : undefined;
    if (entry.warmUp) continue;
    lags.push(entry.sentAt - entry.dueAt);
    acks.push(entry.ackMs ?? 0);
    if (!step || step.status !== 'succeeded' || step.finished_ms === null) notSucceeded++;
    else latencies.push(Number(step.finished_ms) - entry.sentAt);
  }
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const ms = sorted(latencies);
  const ackMs = sorted(acks);
  const requestErrors = sent.filter((entry) => entry.error).length;
  if (requestErrors > 0) options.progress(`latency: ${requestErrors} requests failed, e.g. ${sent.find((entry) => entry.error)?.error}`);
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    targetRate: round(rate),
    sentRate: round((total - warmCount - 1) / sendingSeconds),
    runs: runIds.length,
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
    apiCpu,
    workerCpu,
    loadGeneratorCpu,
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
