/** The bench's result: one JSON object (the last stdout line and bench/results/bench-<time>.json) and a table. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineResult } from './engine-throughput';
import type { LatencyResult } from './latency';
import type { ScaleResult } from './list-scale';
import type { PgCeiling } from './pg-ceiling';
import type { QueueCeiling } from './queue-ceiling';

export interface BenchResult {
  stepsPerSec: number;
  naiveJobsPerSec: number;
  noopJobsPerSec: number;
  /** The best of the client counts tried: what ratioToPg divides by. */
  pgTps: number;
  pgTpsLowClients: number;
  ratioToNaive: number;
  /** The engine against the naive worker measured again just after it: with ratioToNaive, brackets the engine when steal varies. */
  ratioToNaiveAfter: number;
  ratioToNoop: number;
  ratioToPg: number;
  /** Event -> committed status at half load (the engine's path: the API, the queue and the worker). */
  p50Ms: number;
  p99Ms: number;
  /** A pipeline's POST /v1/cases/:id/status -> committed status, at the same rate. */
  statusP50Ms: number;
  statusP99Ms: number;
  /** The highest event rate measured whose p99 stayed within 50 ms (light reference, sweep or half load). */
  maxRateP99Within50Ms: number;
  listP95Ms: number;
  workerRssMb: number;
  /** False when a section's own checks failed (its figure is then not to be trusted); see problems. */
  ok: boolean;
  problems: string[];
  quick: boolean;
  concurrency: number;
  startedAt: string;
  seconds: number;
  method: Record<string, string>;
  sections: {
    pg: PgCeiling[];
    noop: QueueCeiling;
    /** The naive worker at its best; naiveRuns has every concurrency tried. */
    naive: QueueCeiling;
    naiveRuns: QueueCeiling[];
    /** The naive worker at that best concurrency again, just after the engine. */
    naiveAfter: QueueCeiling;
    engine: EngineResult;
    latency: LatencyResult;
    latencyLight: LatencyResult;
    latencySweep: LatencyResult[];
    statusLatency: LatencyResult;
    scale: ScaleResult;
    workerMemory: { peakMb: number; maxSampledRssMb: number; samples: number };
  };
  environment: Record<string, unknown>;
  /** Reference figures (a bigger machine), for reading the table; not pass/fail. */
  targets: Record<string, string>;
  file?: string;
}

export const TARGETS = {
  pgTpsLowClients: '~5,100 tx/s at 4 clients',
  noopJobsPerSec: '~9,000 jobs/s',
  naiveJobsPerSec: '~2,100 jobs/s',
  ratioToNaive: '>= 1.0',
  p99Ms: '<= 50 ms at half load',
  listP95Ms: '<= 50 ms at 1M cases',
  workerRssMb: '<= 250 MB',
};

const r1 = (value: number) => Math.round(value * 10) / 10;
const r3 = (value: number) => Math.round(value * 1000) / 1000;
const int = (value: number) => Math.round(value).toLocaleString('en-US');

const machineBusy = (run: LatencyResult) => `${run.apiCpu.machineBusyPercent}% busy (steal ${run.apiCpu.machineStealPercent}%)`;

/**
 * The hypervisor's steal in each timed section: a ratio between two sections is only as fair as
 * their steal is alike, and a latency section with much steal measured a slower machine.
 */
function stealBySection({ sections: s }: BenchResult): string {
  const percent = (runs: Array<{ cpu: { machineStealPercent: number } }>) => `${runs.map((run) => run.cpu.machineStealPercent).join('/')}%`;
  return [
    `pg ${percent(s.pg)}`,
    `no-op ${percent([s.noop])}`,
    `naive ${percent(s.naiveRuns)} (after ${s.naiveAfter.cpu.machineStealPercent}%)`,
    `engine ${s.engine.workerCpu.machineStealPercent}%`,
    `events ${s.latency.apiCpu.machineStealPercent}%`,
    `status ${s.statusLatency.apiCpu.machineStealPercent}%`,
    `list ${s.scale.cpu.machineStealPercent}%`,
  ].join(', ');
}

export function renderTable(result: BenchResult): string {
  const { sections: s, concurrency } = result;
  const rows: string[][] = [
    ...s.pg.map((pg, i) => [
      i === 0 ? '1. PostgreSQL ceiling (UPDATE case + INSERT audit, pg)' : '',
      `${int(pg.tps)} tx/s at ${pg.clients} clients${pg.tps === result.pgTps ? ' (best)' : ''}`,
      i === 0 ? TARGETS.pgTpsLowClients : '',
    ]),
    [`2. BullMQ no-op worker, concurrency ${concurrency}`, `${int(result.noopJobsPerSec)} jobs/s`, TARGETS.noopJobsPerSec],
    ...s.naiveRuns.map((run, i) => [
      i === 0 ? '3. Naive BullMQ + pg worker' : '',
      `${int(run.jobsPerSec)} jobs/s at concurrency ${run.concurrency}${run === s.naive ? ' (best)' : ''}`,
      i === 0 ? TARGETS.naiveJobsPerSec : '',
    ]),
    ['   (again just after 4, at the best concurrency)', `${int(s.naiveAfter.jobsPerSec)} jobs/s`, ''],
    [`4. Engine, 1 worker process x ${concurrency}, ${s.engine.runs} runs x 10 steps`, `${int(result.stepsPerSec)} steps/s`, ''],
    [
      '   worker CPU (of one core; kernel part) / machine busy',
      `${s.engine.workerCpu.processCpuPercentOfOneCore}% (${s.engine.workerCpu.processSystemPercentOfOneCore}%) / ${s.engine.workerCpu.machineBusyPercent}% of ${s.engine.workerCpu.cores} cores`,
      '',
    ],
    [
      '   ratio to naive (naive after 4) / no-op / PostgreSQL',
      `${result.ratioToNaive} (${result.ratioToNaiveAfter}) / ${result.ratioToNoop} / ${result.ratioToPg}`,
      `naive ${TARGETS.ratioToNaive}`,
    ],
    [`5. Event -> committed status at ${int(s.latency.sentRate)} events/s`, `p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`, TARGETS.p99Ms],
    ['   events completed; machine CPU per event (all processes)', `${int(s.latency.completedRate)}/s; ${s.latency.machineCpuMsPerRequest} ms`, ''],
    ['   (HTTP answer of the event)', `p50 ${s.latency.ackP50Ms} ms, p99 ${s.latency.ackP99Ms} ms`, ''],
    [
      '   CPU (of one core): API / worker / bench; machine',
      `${s.latency.apiCpu.processCpuPercentOfOneCore}% / ${s.latency.workerCpu.processCpuPercentOfOneCore}% / ${s.latency.loadGeneratorCpu.processCpuPercentOfOneCore}%; ${machineBusy(s.latency)}`,
      '',
    ],
    [`   (reference: at a light ${int(s.latencyLight.targetRate)} events/s)`, `p50 ${s.latencyLight.p50Ms} ms, p99 ${s.latencyLight.p99Ms} ms`, ''],
    ...s.latencySweep.map((run, i) => [
      i === 0 ? '   (below half load; machine CPU per event)' : '',
      `${int(run.sentRate)}/s: p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms; ${run.machineCpuMsPerRequest} ms`,
      '',
    ]),
    ['   highest rate with p99 <= 50 ms', `${int(result.maxRateP99Within50Ms)} events/s`, ''],
    [`5b. Status update -> committed at ${int(s.statusLatency.sentRate)}/s`, `p50 ${result.statusP50Ms} ms, p99 ${result.statusP99Ms} ms`, TARGETS.p99Ms],
    ['   updates completed; machine CPU per update (all processes)', `${int(s.statusLatency.completedRate)}/s; ${s.statusLatency.machineCpuMsPerRequest} ms`, ''],
    [
      '   CPU (of one core): API / bench; machine',
      `${s.statusLatency.apiCpu.processCpuPercentOfOneCore}% / ${s.statusLatency.loadGeneratorCpu.processCpuPercentOfOneCore}%; ${machineBusy(s.statusLatency)}`,
      '',
    ],
    ...s.scale.queries.map((query, i) => [
      i === 0 ? `6. Case list p95 at ${int(s.scale.cases)} cases${result.quick ? ' (--quick: not 1M)' : ''}` : '',
      `${query.name}: ${query.p95.toFixed(2)} ms`,
      i === 0 ? TARGETS.listP95Ms : '',
    ]),
    ['7. Worker peak RSS during 4', `${result.workerRssMb} MB`, TARGETS.workerRssMb],
    ['CPU taken by other tenants (steal), by section', stealBySection(result), ''],
  ];
  const widths = [0, 1, 2].map((column) => Math.max(...[['section', 'measured', 'reference target'], ...rows].map((row) => row[column].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
  const title = `Caseflow bench${result.quick ? ' --quick' : ''}: ${result.ok ? 'all checks passed' : `CHECKS FAILED: ${result.problems.join('; ')}`}`;
  return [title, line(['section', 'measured', 'reference target']), rule, ...rows.map(line)].join('\n');
}

/** The summary fields, rounded for reading; the sections keep their own precision. */
export function summarize(result: BenchResult): BenchResult {
  return {
    ...result,
    stepsPerSec: r1(result.stepsPerSec),
    naiveJobsPerSec: r1(result.naiveJobsPerSec),
    noopJobsPerSec: r1(result.noopJobsPerSec),
    pgTps: r1(result.pgTps),
    pgTpsLowClients: r1(result.pgTpsLowClients),
    ratioToNaive: r3(result.ratioToNaive),
    ratioToNaiveAfter: r3(result.ratioToNaiveAfter),
    ratioToNoop: r3(result.ratioToNoop),
    ratioToPg: r3(result.ratioToPg),
    listP95Ms: Math.round(result.listP95Ms * 100) / 100,
  };
}

/** Writes bench/results/bench-<time>.json (the same object as the last stdout line) and returns its path. */
export function writeResult(benchDir: string, result: BenchResult): string {
  const folder = join(benchDir, 'results');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `bench-${result.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
