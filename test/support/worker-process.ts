import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { SuiteResources } from './test-environment';

const ROOT = resolve(__dirname, '..', '..');
const STARTED = 'Caseflow worker started';

/** A real worker process (apps/worker/src/main.ts run from source) on a suite's database and prefix. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed, for failure messages. */
  output: string[];
  /** Resolves once the worker says it started; rejects if it exits or takes over `startTimeoutMs`. */
  started: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** Sends the signal and waits for the process to end. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

const all = new Set<WorkerProcess>();

/** Kills every worker process spawned here that is still running (for afterAll, also on failure). */
export async function killAllWorkers(): Promise<void> {
  await Promise.all([...all].map((worker) => worker.kill('SIGKILL')));
}

export function spawnWorker(resources: SuiteResources, env: Record<string, string> = {}, startTimeoutMs = 30_000): WorkerProcess {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/worker/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: resources.databaseUrl,
      REDIS_URL: resources.redisUrl,
      CASEFLOW_QUEUE_PREFIX: resources.queuePrefix,
      CASEFLOW_WORKFLOWS_DIR: resources.workflowsDir,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const started = new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`the worker did not start within ${startTimeoutMs} ms:\n${output.join('\n')}`)), startTimeoutMs);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        if (line.includes(STARTED)) {
          clearTimeout(timer);
          done();
        }
      });
    }
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(new Error(`the worker exited (code ${code}, signal ${signal}) before it started:\n${output.join('\n')}`));
    });
  });
  started.catch(() => undefined); // awaited by the caller; do not report it twice
  const worker: WorkerProcess = {
    child,
    output,
    started,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    async kill(signal) {
      if (worker.alive()) child.kill(signal);
      await exited;
      all.delete(worker);
    },
  };
  all.add(worker);
  void exited.then(() => all.delete(worker));
  return worker;
}
