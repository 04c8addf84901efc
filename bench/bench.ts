/**
 * `npm run bench` (SPEC §8): in one run, on a database and a BullMQ prefix of its own,
 *   1. the PostgreSQL ceiling: the raw status-change transaction through `pg` (4 and 10 clients);
 *   2. the BullMQ ceiling: a no-op worker;  3. the naive reference: BullMQ + that transaction;
 *   4. the engine: ten-step runs through the real API and one real worker process;
 *   5. latency from an event, and from a pipeline's status update, to the committed status at half
 *      the engine's rate, open loop;
 *   6. the case list's p95 over 1,000,000 seeded cases;  7. the worker's peak RSS during 4.
 *
 *   npm run bench -- [--quick] [--keep] [--no-build] [--cpu-prof]
 *
 * Progress goes to stderr; a table then one JSON object (the last line) to stdout; the same object
 * to bench/results/bench-<time>.json. Exits 1 when a section's own checks fail (a step that did
 * not succeed, an audit event missing, a process that died), since its figures then mean nothing.
 */
import 'reflect-metadata';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { ChaosDatabase } from '../scripts/chaos/chaos-database';
import { prepareStage } from '../scripts/support/stage';
import { BenchOptions, parseBenchOptions, UsageError } from './support/bench-options';
import { BenchResult, renderTable, summarize, TARGETS, writeResult } from './support/bench-report';
import { BENCH_CASE_TYPE, BENCH_STATUS_SET, BENCH_STATUSES, LATENCY_KEY, LATENCY_WORKFLOW, PING, TEN_STEPS_WORKFLOW } from './support/bench-workflows';
import { createCases, createRuns, measureEngine } from './support/engine-throughput';
import { EventSender } from './support/event-sender';
import { LatencyResult, measureLatency, measureStatusLatency } from './support/latency';
import { measureListScale } from './support/list-scale';
import { insertRawCases, measurePgCeiling, PgCeiling } from './support/pg-ceiling';
import { measureNaive, measureNoop, QueueCeiling } from './support/queue-ceiling';
import { RssSampler } from './support/rss-sampler';

const ROOT = resolve(__dirname, '..');
/** Cases the raw sections change: enough that two changes of one case are far apart. */
const RAW_CASES = 2000;
/** Events a second of the light-load latency reference. */
const LIGHT_RATE = 10;
/** Rates tried below half load, up to the first that saturates the machine; --quick skips 300 and measures each for less, to stay under two minutes. */
const sweepPlan = (quick: boolean) => (quick ? { rates: [50, 100, 200, 400], measureS: 2 } : { rates: [50, 100, 200, 300, 400], measureS: 10 });
const P99_TARGET_MS = 50;
/** A p99 past this means requests queue up: every higher rate would only queue more. */
const SWEEP_SATURATED_MS = 1000;
const cpuLine = (run: LatencyResult) => `completed ${run.completedRate.toFixed(0)}/s; ${run.machineCpuMsPerRequest} ms of machine CPU per request, steal ${run.apiCpu.machineStealPercent}%`;
const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2), process.env);
  const startedAt = new Date().toISOString();
  const began = performance.now();
  const loadBefore = loadavg();
  const { prefix, port, db, adminKey, fleet, startApi, cleanUp } = await prepareStage({
    name: 'bench',
    databaseUrl: options.databaseUrl,
    redisUrl: options.redisUrl,
    workerConcurrency: options.concurrency,
    build: options.build,
    keep: options.keep,
    stopGraceMs: options.cpuProf ? 15_000 : 5000,
    log,
  });
  log(`database ${db.name} (fresh), Redis prefix ${prefix}, API on port ${port}, concurrency ${options.concurrency}${options.quick ? ', --quick' : ''}`);
  await db.recreate();
  let failed = false;
  try {
    const { api, client } = await startApi();
    for (const status of BENCH_STATUSES) await client.request('POST', '/v1/admin/statuses', { set: BENCH_STATUS_SET, setLabel: 'Bench', ...status });
    for (const workflow of [TEN_STEPS_WORKFLOW, LATENCY_WORKFLOW]) await client.request('POST', '/v1/workflows', workflow);
    const [{ id: organizationId }] = await db.query<{ id: string }>(`SELECT id FROM organizations WHERE slug = 'default'`);
    const rawCases = await insertRawCases(options.databaseUrl, organizationId, BENCH_STATUS_SET, BENCH_CASE_TYPE, RAW_CASES);
    const statuses = new Map(rawCases.map((id) => [id, PING]));

    const pg: PgCeiling[] = [];
    for (const clients of options.pgClients) {
      log(`1. PostgreSQL ceiling, ${clients} clients: ${options.pg.warmUpS} s warm-up, ${options.pg.measureS} s measured`);
      pg.push(await measurePgCeiling(options.databaseUrl, organizationId, rawCases, statuses, clients, options.pg));
      log(`   ${pg[pg.length - 1].tps.toFixed(0)} tx/s`);
    }
    const section = (queueName: string, warmUp: number, concurrency = options.concurrency) => ({ redisUrl: options.redisUrl, prefix, queueName, concurrency, warmUp, progress: log });
    log(`2. BullMQ no-op worker: ${options.noop.jobs} jobs, the first ${options.noop.warmUp} not timed`);
    const noop = await measureNoop(section('bench-noop', options.noop.warmUp), organizationId, options.noop.jobs);
    log(`   ${noop.jobsPerSec.toFixed(0)} jobs/s`);
    const naiveRuns: QueueCeiling[] = [];
    for (const concurrency of options.naiveConcurrencies) {
      log(`3. naive BullMQ + pg worker at concurrency ${concurrency}: ${options.naive.jobs} jobs, the first ${options.naive.warmUp} not timed`);
      const section3 = { ...section(`bench-naive-${concurrency}`, options.naive.warmUp, concurrency), databaseUrl: options.databaseUrl };
      naiveRuns.push(await measureNaive(section3, organizationId, options.naive.jobs, rawCases, statuses));
      log(`   ${naiveRuns[naiveRuns.length - 1].jobsPerSec.toFixed(0)} jobs/s`);
    }
    // The ratio is to the naive worker at its best, whichever concurrency that was.
    const naive = naiveRuns.reduce((best, run) => (run.jobsPerSec > best.jobsPerSec ? run : best));

    log(`4. engine: one worker process at WORKER_CONCURRENCY=${options.concurrency}`);
    const profile = join(ROOT, 'bench', 'results', `bench-${startedAt.replace(/[:.]/g, '-')}-worker.cpuprofile`);
    const worker = fleet.start(
      'worker',
      options.cpuProf ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(__dirname, 'support', 'cpu-profile.preload.js')}`, BENCH_CPU_PROFILE: profile } : {},
    );
    const sampler = new RssSampler(worker.child.pid as number);
    sampler.start();
    const engine = await measureEngine({ client, db, redisUrl: options.redisUrl, prefix, workerPid: worker.child.pid as number, ...options.engine, loadConcurrency: options.loadConcurrency, progress: log });
    const workerMemory = sampler.stop();
    log(`   ${engine.stepsPerSec.toFixed(0)} steps/s over ${engine.seconds.toFixed(1)} s; worker at ${engine.workerCpu.processCpuPercentOfOneCore}% of a core, machine ${engine.workerCpu.machineBusyPercent}% busy (steal ${engine.workerCpu.machineStealPercent}%); peak RSS ${workerMemory.peakMb} MB`);
    for (const problem of engine.verification.problems) log(`   ENGINE CHECK FAILED: ${problem}`);
    // The naive worker again, at its best concurrency, right after the engine: steal comes in bursts
    // on a shared host, and the two ratios together show how far it moved the one the issue asks for.
    log(`3b. naive BullMQ + pg worker again at concurrency ${naive.concurrency}, just after the engine`);
    const naiveAfter = await measureNaive(
      { ...section(`bench-naive-after-${naive.concurrency}`, options.naive.warmUp, naive.concurrency), databaseUrl: options.databaseUrl },
      organizationId,
      options.naive.jobs,
      rawCases,
      statuses,
    );
    log(`   ${naiveAfter.jobsPerSec.toFixed(0)} jobs/s (steal ${naiveAfter.cpu.machineStealPercent}%)`);

    const rate = Math.max(1, engine.stepsPerSec / 2);
    // Three seconds between two events to one run: its previous step is long done (see latency.ts).
    const latencyRuns = await createRuns(client, LATENCY_KEY, Math.max(20, Math.ceil(rate * 3)), options.loadConcurrency);
    const lightRuns = await createRuns(client, LATENCY_KEY, LIGHT_RATE * 4, options.loadConcurrency);
    // Cases with no run, for pipelines' status updates: each is updated about once a second.
    const statusCases = await createCases(client, Math.max(20, Math.ceil(rate)), options.loadConcurrency);
    // As many keep-alive connections as the worker's concurrency: a pipeline's client, not one socket per request.
    const sender = new EventSender(port, adminKey, options.concurrency);
    const pids = { apiPid: api.child.pid as number, workerPid: worker.child.pid as number };
    // Not the headline: the same path nearly idle, to tell the path's own latency from queueing.
    log(`5. latency at a light ${LIGHT_RATE} events/s first, for reference`);
    const light = await measureLatency({ sender, db, runIds: lightRuns.map((run) => run.runId), ...pids, rate: LIGHT_RATE, warmUpS: 1, measureS: options.quick ? 3 : 10, progress: log });
    log(`   p50 ${light.p50Ms} ms, p99 ${light.p99Ms} ms`);
    // The latency curve below half load, up to where the machine saturates: where p99 stays under the target, and how it grows past it.
    const sweep: LatencyResult[] = [];
    const plan = sweepPlan(options.quick);
    for (const stepRate of plan.rates.filter((candidate) => candidate < rate)) {
      log(`5. latency at ${stepRate} events/s (sweep below half load)`);
      const measured = await measureLatency({ sender, db, runIds: latencyRuns.map((run) => run.runId), ...pids, rate: stepRate, warmUpS: 1, measureS: plan.measureS, progress: log });
      log(`   p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms (sent ${measured.sentRate.toFixed(0)}/s); ${cpuLine(measured)}`);
      sweep.push(measured);
      if (measured.p99Ms > SWEEP_SATURATED_MS) break;
    }
    log(`5. latency: ${rate.toFixed(0)} events/s over ${latencyRuns.length} waiting runs, ${options.latency.warmUpS} s warm-up, ${options.latency.measureS} s measured`);
    const latency = await measureLatency({ sender, db, runIds: latencyRuns.map((run) => run.runId), ...pids, rate, ...options.latency, progress: log });
    log(`   p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms (sent ${latency.sentRate.toFixed(0)}/s); ${cpuLine(latency)}`);
    log(`5b. status updates: ${rate.toFixed(0)}/s over ${statusCases.length} cases, ${options.latency.warmUpS} s warm-up, ${options.latency.measureS} s measured`);
    const statusLatency = await measureStatusLatency({ sender, caseIds: statusCases, ...pids, rate, ...options.latency, progress: log });
    log(`   p50 ${statusLatency.p50Ms} ms, p99 ${statusLatency.p99Ms} ms (sent ${statusLatency.sentRate.toFixed(0)}/s); ${cpuLine(statusLatency)}`);
    await sender.close();
    const exits = fleet.unexpectedExits.map((exit) => `${exit.name} exited on its own (code ${exit.code}, signal ${exit.signal})`);
    await fleet.stopAll(options.cpuProf ? 15_000 : 5000);
    if (options.cpuProf) log(`worker CPU profile: ${profile}`);

    log(`6. case list: ${options.scale.cases} cases${options.quick ? ' (--quick; the full run seeds 1,000,000)' : ''}`);
    const scale = await measureListScale(options.databaseUrl, options.scale, log);

    const problems = [...engine.verification.problems, ...exits];
    if (noop.failed > 0) problems.push(`${noop.failed} no-op jobs failed`);
    for (const run of naiveRuns) if (run.failed > 0) problems.push(`${run.failed} naive jobs failed at concurrency ${run.concurrency}`);
    if (naiveAfter.failed > 0) problems.push(`${naiveAfter.failed} naive jobs failed in the run after the engine`);
    for (const run of [light, ...sweep, latency]) {
      if (run.requestErrors > 0) problems.push(`${run.requestErrors} latency requests failed at ${run.targetRate} events/s`);
      if (run.stepsNotSucceeded > 0) problems.push(`${run.stepsNotSucceeded} latency events' steps did not succeed at ${run.targetRate} events/s`);
    }
    if (statusLatency.requestErrors > 0) problems.push(`${statusLatency.requestErrors} status updates failed at ${statusLatency.targetRate}/s`);
    if (statusLatency.stepsNotSucceeded > 0) problems.push(`${statusLatency.stepsNotSucceeded} status updates were answered with another status`);
    // As for the naive worker: PostgreSQL at its best among the client counts tried.
    const pgBest = pg.reduce((best, run) => (run.tps > best.tps ? run : best));
    const result: BenchResult = summarize({
      stepsPerSec: engine.stepsPerSec,
      naiveJobsPerSec: naive.jobsPerSec,
      noopJobsPerSec: noop.jobsPerSec,
      pgTps: pgBest.tps,
      pgTpsLowClients: (pg.find((p) => p.clients === options.pgClientsLow) as PgCeiling).tps,
      ratioToNaive: engine.stepsPerSec / naive.jobsPerSec,
      ratioToNaiveAfter: engine.stepsPerSec / naiveAfter.jobsPerSec,
      ratioToNoop: engine.stepsPerSec / noop.jobsPerSec,
      ratioToPg: engine.stepsPerSec / pgBest.tps,
      p50Ms: latency.p50Ms,
      p99Ms: latency.p99Ms,
      statusP50Ms: statusLatency.p50Ms,
      statusP99Ms: statusLatency.p99Ms,
      maxRateP99Within50Ms: [light, ...sweep, latency].filter((run) => run.p99Ms <= P99_TARGET_MS && run.requestErrors === 0).reduce((best, run) => Math.max(best, run.sentRate), 0),
      listP95Ms: scale.listP95Ms,
      workerRssMb: workerMemory.peakMb,
      ok: problems.length === 0,
      problems,
      quick: options.quick,
      concurrency: options.concurrency,
      startedAt,
      seconds: Math.round((performance.now() - began) / 1000),
      method: method(options),
      sections: { pg, noop, naive, naiveRuns, naiveAfter, engine, latency, latencyLight: light, latencySweep: sweep, statusLatency, scale, workerMemory },
      environment: await environment(db, options, loadBefore),
      targets: TARGETS,
    });
    failed = !result.ok;
    result.file = writeResult(join(ROOT, 'bench'), result);
    log(`wrote ${result.file}`);
    process.stdout.write(`${renderTable(result)}\n${JSON.stringify(result)}\n`);
    return result.ok ? 0 : 1;
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    await cleanUp({ failed });
  }
}

function method(options: BenchOptions): Record<string, string> {
  const c = options.concurrency;
  return {
    pg: `fixed duration: N pg connections (${options.pgClients.join(', ')} in turn) each running BEGIN; UPDATE cases SET status, version = version + 1, updated_at = now(); INSERT INTO case_events; COMMIT back to back on cases of its own, on the migrated schema; ${options.pg.warmUpS} s warm-up, then transactions ending in the next ${options.pg.measureS} s counted. pgTps is the best of those client counts.`,
    noop: `fixed count: ${options.noop.jobs} jobs queued up front with the engine's job options (stepJobOptions), then one in-process BullMQ Worker with STEP_WORKER_OPTIONS at concurrency ${c} and a no-op processor; rate = completions after the first ${options.noop.warmUp} / time from the ${options.noop.warmUp}th to the last.`,
    naive: `fixed count: as noop, ${options.naive.jobs} jobs (first ${options.naive.warmUp} not timed), the processor running the pg transaction above on a pool of as many connections as jobs in flight; measured at concurrency ${options.naiveConcurrencies.join(' and ')}, naiveJobsPerSec is the better one. sections.naiveAfter: the same at the better concurrency again, just after section 4; ratioToNaiveAfter = stepsPerSec / its rate, to bracket the engine between two naive runs when steal varies.`,
    engine: `fixed count: a real worker process (dist/apps/worker, WORKER_CONCURRENCY=${c}) and API process; ${options.engine.warmUpRuns} warm-up runs, then ${options.engine.runs} runs of a ten-step case.updateStatus workflow created through POST /v1/cases with the steps queue paused, then resumed; stepsPerSec = succeeded step executions / (max(finished_at) - min(started_at)) read from step_executions; every run completed, every step succeeded and every status change audited is checked.`,
    latency: `fixed duration, open loop: POST /v1/runs/:id/events over ${c} keep-alive connections at fixed intervals at half the engine's steps/s, round-robin over waiting runs, each event running one case.updateStatus step; latency = step_executions.finished_at (clock_timestamp() in the step's committing transaction, just before COMMIT) - the client's wall-clock send time, same machine clock; ${options.latency.warmUpS} s warm-up not counted, ${options.latency.measureS} s measured. sections.latencyLight: the same at ${LIGHT_RATE} events/s, for reference; sections.latencySweep: the same at ${sweepPlan(options.quick).rates.join(', ')} events/s (those below half load, stopping at the first whose p99 exceeds ${SWEEP_SATURATED_MS} ms, saturated), each 1 s warm-up then ${sweepPlan(options.quick).measureS} s; maxRateP99Within50Ms: the highest rate sent with p99 within ${P99_TARGET_MS} ms and no failed request. sections.statusLatency (statusP50Ms, statusP99Ms): the same open loop at the same rate with POST /v1/cases/:id/status, round-robin over as many cases without a run, each request moving its case between two statuses; the change commits before the answer, so latency = the answer's arrival - the send time. completedRate: requests whose status committed during the measured sending, whenever sent, per second. machineCpuMsPerRequest: the CPU all processes of the machine spent over the sending (/proc/stat busy minus steal) / requests completed over it (not sent: a path that falls behind completes fewer).`,
    scale: `case-list.bench.ts's seed (INSERT ... SELECT generate_series, indexes rebuilt after) of ${options.scale.cases} cases in an organization of their own, then each query through CaseListRepository ${options.scale.warmUp} times untimed and ${options.scale.iterations} times timed, one at a time; listP95Ms = the worst p95 of the four.`,
    steal: "apiCpu.machineStealPercent, workerCpu.machineStealPercent, and cpu.machineStealPercent of each ceiling and of the case list's timed queries: the share of the machine's CPU time the hypervisor gave to other tenants during that section (/proc/stat steal over all ticks); sections with unlike steal ran on unlike machines.",
    memory: 'VmHWM (the kernel-kept peak resident set) of the worker process from /proc/<pid>/status, sampled every 200 ms from its start to the end of section 4.',
  };
}

async function environment(db: ChaosDatabase, options: BenchOptions, loadBefore: number[]): Promise<Record<string, unknown>> {
  const settings = await db.query<{ name: string; setting: string }>(
    `SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name IN ('server_version', 'shared_buffers', 'synchronous_commit', 'fsync', 'max_connections', 'work_mem')`,
  );
  const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let redisVersion = 'unknown';
  try {
    await redis.connect();
    redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadAverageBefore: loadBefore.map((value) => Math.round(value * 100) / 100),
    loadAverageAfter: loadavg().map((value) => Math.round(value * 100) / 100),
    node: process.version,
    postgres: Object.fromEntries(settings.map((row) => [row.name, row.setting])),
    redis: redisVersion,
    database: db.name,
  };
}

/** `nest build` of each app, in parallel (they write different bundles); their output goes to stderr. */
main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(error instanceof UsageError ? `${error.message}\n` : `\nbench failed: ${error.stack ?? error.message}\n`);
    process.exit(2);
  },
);
