/**
 * `npm run chaos` (SPEC §8, Crash): runs the API and several workers as separate processes on a
 * database and BullMQ prefix of their own, loads thousands of runs of a five-step workflow, kills a
 * random worker with SIGKILL every few seconds, empties the prefix's Redis keys once and restarts
 * PostgreSQL once (when this machine allows it), then checks every run in PostgreSQL: completed,
 * and each step's status change in the audit trail exactly once.
 *
 *   npm run chaos -- [--runs N] [--workers K] [--quick] [--keep] [--no-build]
 *
 * Progress goes to stderr; the table to stdout; the figures to bench/results/chaos-<time>.json.
 * Exits 1 when a run is lost or an effect is duplicated or missing.
 */
import { join, resolve } from 'node:path';
import { deletePrefixKeys, planPgRestart, restartPg } from './chaos-faults';
import { LoadProgress, loadRuns, sleep } from './chaos-load';
import { parseChaosOptions, UsageError } from './chaos-options';
import { ChaosResult, FaultLog, passed, renderTable, writeResult } from './chaos-report';
import { prepareStage } from '../support/stage';
import { verifyRuns } from './chaos-verify';
import { CHAOS_STATUSES, CHAOS_WORKFLOW_KEY, EXPECTED_EFFECTS, EXPECTED_STEP_IDS } from './chaos-workflow';

const ROOT = resolve(__dirname, '..', '..');
const log = (message: string) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function main(): Promise<number> {
  const options = parseChaosOptions(process.argv.slice(2), process.env);
  const startedAt = new Date().toISOString();
  const { workDir, prefix, port, db, fleet, startApi, cleanUp } = await prepareStage({
    name: 'chaos',
    databaseUrl: options.databaseUrl,
    redisUrl: options.redisUrl,
    workerConcurrency: options.workerConcurrency,
    build: options.build,
    keep: options.keep,
    log,
  });
  const pgPlan = await planPgRestart(options.databaseUrl, options.skipPgRestart);
  log(`database ${db.name} (fresh), Redis prefix ${prefix}, API on port ${port}, ${options.workers} workers x ${options.workerConcurrency}, logs in ${join(workDir, 'logs')}`);
  log(pgPlan.command ? `PostgreSQL will be restarted once with: ${pgPlan.command.file} ${pgPlan.command.args.join(' ')}` : `no PostgreSQL restart: ${pgPlan.skipReason}`);
  await db.recreate();

  let failed = false;
  try {
    const { client } = await startApi();
    const version = await client.setUp();
    for (let i = 0; i < options.workers; i++) fleet.start('worker');
    log(`published ${CHAOS_WORKFLOW_KEY}@${version}; loading ${options.runs} runs, ${options.loadConcurrency} requests in flight`);

    const t0 = Date.now();
    const load: LoadProgress = { acknowledged: [], failures: new Map(), abandoned: 0, done: false };
    const faults: FaultLog = { workerKills: 0, redisFlushes: 0, redisKeysDeleted: 0, pgRestarts: 0, timeline: [] };
    let lastFaultAt = t0;
    const fault = (kind: string, detail: string) => {
      lastFaultAt = Date.now();
      faults.timeline.push({ t: Math.round((lastFaultAt - t0) / 100) / 10, kind, detail });
      log(`fault: ${kind} ${detail}`);
    };
    const samples: Array<Record<string, number | string>> = [];
    const sample = async () => {
      const p = await db.progress().catch((error: Error) => ({ error: error.message.split('\n')[0] }));
      const row = { t: Math.round((Date.now() - t0) / 1000), created: load.acknowledged.length, workers: fleet.workers, kills: faults.workerKills, ...p } as Record<string, number | string>;
      if (row.lastEndedAt !== undefined) delete row.lastEndedAt;
      samples.push(row);
      log(Object.entries(row).map(([key, value]) => `${key}=${value}`).join(' '));
      return p;
    };
    const reporter = setInterval(() => void sample(), 5000);

    let loadError: Error | undefined;
    const loading = loadRuns(client, options.runs, options.loadConcurrency, load).catch((error: Error) => {
      loadError = error;
    });
    let loadDoneAt = 0;
    void loading.then(() => {
      loadDoneAt = Date.now();
      log(`load done: ${load.acknowledged.length} runs acknowledged in ${((loadDoneAt - t0) / 1000).toFixed(1)} s`);
    });

    // The chaos: a worker killed every few seconds while the runs go in and are worked off; the
    // Redis flush after a third of the load, the PostgreSQL restart after two thirds.
    let flushed = false;
    let pgDone = false;
    for (;;) {
      await sleep(options.killEveryMs[0] + Math.random() * (options.killEveryMs[1] - options.killEveryMs[0]));
      if (loadError) break;
      const acked = load.acknowledged.length;
      if (!flushed && acked >= options.runs / 3) {
        flushed = true;
        const deleted = await deletePrefixKeys(options.redisUrl, prefix);
        faults.redisFlushes++;
        faults.redisKeysDeleted += deleted;
        fault('redis-flush', `${deleted} keys of ${prefix}:* deleted at ${acked} runs created`);
      }
      if (!pgDone && acked >= (options.runs * 2) / 3) {
        pgDone = true;
        if (pgPlan.command) {
          log('restarting PostgreSQL…');
          const result = await restartPg(pgPlan, options.databaseUrl);
          faults.pgRestart = result;
          if (result.ok) {
            faults.pgRestarts++;
            fault('pg-restart', `took ${result.durationMs} ms at ${acked} runs created`);
          } else {
            faults.pgRestartSkipped = `restart failed: ${result.error}`;
            log(`PostgreSQL restart failed, going on without: ${result.error}`);
          }
        } else {
          faults.pgRestartSkipped = pgPlan.skipReason;
        }
      }
      if (load.done && flushed && pgDone) {
        const p = await db.progress().catch(() => undefined);
        const mostDone = p !== undefined && p.completed >= p.runs * (2 / 3);
        if (mostDone || Date.now() - loadDoneAt > options.chaosTailMaxMs) break;
      }
      const killed = fleet.killRandomWorker();
      if (killed) {
        faults.workerKills++;
        fault('worker-kill', killed);
      }
    }
    await loading;
    if (loadError) throw loadError;

    // Recovery: no more faults; every run must complete by the deadline.
    const chaosEndedAt = Date.now();
    log(`chaos over (${faults.workerKills} kills); waiting up to ${options.recoveryDeadlineMs / 1000} s for every run to complete`);
    let allCompletedAt: number | null = null;
    while (Date.now() - chaosEndedAt < options.recoveryDeadlineMs) {
      const p = await db.progress().catch(() => undefined);
      if (p && p.notCompleted === 0 && p.runs >= load.acknowledged.length) {
        allCompletedAt = p.lastEndedAt ? p.lastEndedAt.getTime() : Date.now();
        break;
      }
      await sleep(1000);
    }
    clearInterval(reporter);
    await sample();

    log('verifying every run in PostgreSQL');
    const verification = await verifyRuns(db, load.acknowledged, EXPECTED_EFFECTS, EXPECTED_STEP_IDS, CHAOS_STATUSES[CHAOS_STATUSES.length - 1].key);
    const totalSeconds = allCompletedAt === null ? null : (allCompletedAt - t0) / 1000;
    const result: ChaosResult = {
      startedAt,
      options: { ...options, databaseUrl: options.databaseUrl, queuePrefix: prefix },
      workflow: { key: CHAOS_WORKFLOW_KEY, version, effectsPerRun: EXPECTED_EFFECTS.length },
      load: {
        seconds: ((loadDoneAt || Date.now()) - t0) / 1000,
        acknowledged: load.acknowledged.length,
        retriedRequests: Object.fromEntries(load.failures),
        abandoned: load.abandoned,
      },
      faults,
      secondsToRecover: allCompletedAt === null ? null : Math.max(0, (allCompletedAt - lastFaultAt) / 1000),
      recoveryDeadlineSeconds: options.recoveryDeadlineMs / 1000,
      totalSeconds,
      stepsPerSecond: totalSeconds === null ? null : (verification.runs * EXPECTED_STEP_IDS.length) / totalSeconds,
      requeuedByReconciler: fleet.requeuedByReconciler,
      unexpectedExits: fleet.unexpectedExits,
      verification,
      processLog: [...fleet.logCounts].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([message, count]) => ({ message, count })),
      progress: samples,
      passed: passed(verification),
    };
    failed = !result.passed;
    const file = writeResult(ROOT, result);
    process.stdout.write(`\n${renderTable(result)}\n\nDetails: ${file}\n`);
    if (!result.passed) process.stdout.write(`Examples of what went wrong:\n${JSON.stringify(verification.examples, null, 2)}\n`);
    return result.passed ? 0 : 1;
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    await cleanUp({ failed });
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(error instanceof UsageError ? `${error.message}\n` : `\nchaos run failed: ${error.stack ?? error.message}\n`);
    process.exit(2);
  },
);
