import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UnexpectedExit } from './chaos-fleet';
import type { PgRestartResult } from './chaos-faults';
import type { Verification } from './chaos-verify';

export interface FaultLog {
  workerKills: number;
  redisFlushes: number;
  redisKeysDeleted: number;
  pgRestarts: number;
  pgRestart?: PgRestartResult;
  pgRestartSkipped?: string;
  /** Every fault, seconds from the start of the load. */
  timeline: Array<{ t: number; kind: string; detail: string }>;
}

export interface ChaosResult {
  startedAt: string;
  options: Record<string, unknown>;
  workflow: { key: string; version: number; effectsPerRun: number };
  load: { seconds: number; acknowledged: number; retriedRequests: Record<string, number>; abandoned: number };
  faults: FaultLog;
  /** From the last fault to the moment the last run completed; null if they did not all complete in time. */
  secondsToRecover: number | null;
  recoveryDeadlineSeconds: number;
  /** From the first case created to the last run completed. */
  totalSeconds: number | null;
  stepsPerSecond: number | null;
  requeuedByReconciler: number;
  unexpectedExits: UnexpectedExit[];
  verification: Verification;
  /** Warnings and errors the processes logged, by message, most frequent first. */
  processLog: Array<{ message: string; count: number }>;
  progress: Array<Record<string, number | string>>;
  passed: boolean;
}

export function passed(verification: Verification): boolean {
  return (
    verification.lost === 0 &&
    verification.effectsDuplicated === 0 &&
    verification.effectsMissing === 0 &&
    verification.effectsUnexpected === 0 &&
    verification.stepExecutionsDuplicated === 0 &&
    verification.stepsNotSucceededInCompletedRuns === 0 &&
    verification.casesNotInFinalStatus === 0
  );
}

export function renderTable(result: ChaosResult): string {
  const v = result.verification;
  const f = result.faults;
  const pg = f.pgRestart?.ok
    ? `${f.pgRestarts} (down ${(f.pgRestart.durationMs / 1000).toFixed(1)} s; ${f.pgRestart.otherSessions} other sessions on the server cut off too)`
    : `0 (skipped: ${f.pgRestartSkipped ?? f.pgRestart?.error ?? 'not reached'})`;
  const exits = result.unexpectedExits.length === 0 ? '0' : `${result.unexpectedExits.length} (${result.unexpectedExits.map((e) => `${e.name}: code ${e.code}`).join(', ')})`;
  const rows: Array<[string, string]> = [
    ['runs', `${v.runs} (${v.acknowledged} acknowledged by the API)`],
    ['completed', String(v.completed)],
    ['lost', String(v.lost)],
    ['effects duplicated', String(v.effectsDuplicated)],
    ['effects missing', `${v.effectsMissing} (in completed runs: ${v.effectsMissingInCompletedRuns})`],
    ['seconds to recover', result.secondsToRecover === null ? `not recovered within ${result.recoveryDeadlineSeconds} s` : result.secondsToRecover.toFixed(1)],
    ['faults: worker kills (SIGKILL)', String(f.workerKills)],
    ['faults: redis flushes', `${f.redisFlushes} (${f.redisKeysDeleted} keys deleted)`],
    ['faults: pg restarts', pg],
    ['unexpected effects', String(v.effectsUnexpected)],
    ['step executions duplicated', String(v.stepExecutionsDuplicated)],
    ['process exits not caused by the driver', exits],
    ['steps re-enqueued by the reconciler', String(result.requeuedByReconciler)],
    ['load: seconds, retried requests', `${result.load.seconds.toFixed(1)} s, ${Object.values(result.load.retriedRequests).reduce((a, b) => a + b, 0)} retried, ${result.load.abandoned} abandoned`],
    ['end to end: seconds, steps/s', result.totalSeconds === null ? 'n/a' : `${result.totalSeconds.toFixed(1)} s, ${result.stepsPerSecond?.toFixed(0)} steps/s`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  const line = `+-${'-'.repeat(width)}-+-${'-'.repeat(valueWidth)}-+`;
  const body = rows.map(([name, value]) => `| ${name.padEnd(width)} | ${value.padEnd(valueWidth)} |`);
  const title = `Caseflow chaos run: ${result.options.runs} runs of ${result.workflow.key}@${result.workflow.version} (${result.workflow.effectsPerRun} status changes each), ${result.options.workers} workers — ${result.passed ? 'PASSED' : 'FAILED'}`;
  return [title, line, ...body, line].join('\n');
}

/** Writes bench/results/chaos-<timestamp>.json and returns its path. */
export function writeResult(root: string, result: ChaosResult): string {
  const folder = join(root, 'bench', 'results');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `chaos-${result.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
