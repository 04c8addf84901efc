import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@app/common';
import { ChaosDatabase } from '../chaos/chaos-database';
import { deletePrefixKeys } from '../chaos/chaos-faults';
import { Fleet, Member } from '../chaos/chaos-fleet';
import { ChaosClient } from '../chaos/chaos-load';

const ROOT = resolve(__dirname, '..', '..');

export interface StageOptions {
  /** `chaos` or `bench`: names the temp folder, the Redis prefix and the admin key. */
  name: string;
  databaseUrl: string;
  redisUrl: string;
  workerConcurrency: number;
  /** Build the API and worker bundles first (nest build), or use dist/ as it is. */
  build: boolean;
  /** Keep the database, Redis keys and logs for a look afterwards. */
  keep: boolean;
  /** How long processes get to stop on SIGTERM before SIGKILL. */
  stopGraceMs?: number;
  log: (message: string) => void;
}

/** Everything the API and worker processes of one chaos or bench run share. */
export interface Stage {
  workDir: string;
  prefix: string;
  port: number;
  db: ChaosDatabase;
  adminKey: string;
  /** The environment of every process the run starts. */
  env: NodeJS.ProcessEnv;
  /** Starts, kills and stops the run's API and worker processes. */
  fleet: Fleet;
  /** Starts the API process and waits until it answers; the client speaks to it with the admin key. */
  startApi(): Promise<{ api: Member; client: ChaosClient }>;
  /**
   * Stops every process, then drops the database and the prefix's Redis keys (unless `keep`). A
   * failed run keeps its process logs. Also runs on SIGINT/SIGTERM, which then exit with 130.
   */
  cleanUp(outcome: { failed: boolean }): Promise<void>;
}

/**
 * Sets up a run of real API and worker processes: private copies of the built bundles (a rebuild
 * of dist/ during the run must not change what a restarted worker runs), a database name and a
 * BullMQ prefix of its own, a free port, an admin key, and the cleanup. The database is not
 * created here.
 */
export async function prepareStage(options: StageOptions): Promise<Stage> {
  const workDir = mkdtempSync(join(tmpdir(), `caseflow-${options.name}-`));
  for (const folder of ['logs', 'workflows', 'bundle/api', 'bundle/worker']) mkdirSync(join(workDir, folder), { recursive: true });
  if (options.build) await build(['api', 'worker'], options.log);
  for (const app of ['api', 'worker']) copyFileSync(join(ROOT, 'dist', 'apps', app, 'main.js'), join(workDir, 'bundle', app, 'main.js'));
  const prefix = `caseflow_${options.name}_${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const adminKey = `${options.name}-admin-${randomBytes(16).toString('hex')}`;
  const db = new ChaosDatabase(options.databaseUrl);
  const logDir = join(workDir, 'logs');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_PATH: join(ROOT, 'node_modules'),
    PORT: String(port),
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    CASEFLOW_QUEUE_PREFIX: prefix,
    CASEFLOW_ADMIN_KEY: adminKey,
    CASEFLOW_WORKFLOWS_DIR: join(workDir, 'workflows'), // empty: only the run's own workflows
    WORKER_CONCURRENCY: String(options.workerConcurrency),
    // One client sending far more than a pipeline key is allowed in production: not under test.
    CASEFLOW_RATE_LIMIT: '0',
    // Request logs at info would measure pino and the log pipe.
    LOG_LEVEL: 'warn',
  };
  const fleet = new Fleet({ bundleDir: join(workDir, 'bundle'), logDir, log: options.log, env });

  let cleaned = false;
  const cleanUp = async ({ failed }: { failed: boolean }) => {
    if (cleaned) return;
    cleaned = true;
    await fleet.stopAll(options.stopGraceMs);
    if (options.keep) {
      options.log(`kept: database ${options.databaseUrl}, Redis keys ${prefix}:*, logs in ${logDir}`);
      return;
    }
    await db.drop().catch((error: Error) => options.log(`could not drop ${db.name}: ${error.message}`));
    await deletePrefixKeys(options.redisUrl, prefix).catch((error: Error) => options.log(`could not delete ${prefix}:* keys: ${error.message}`));
    rmSync(join(workDir, 'bundle'), { recursive: true, force: true });
    if (failed) options.log(`process logs kept in ${logDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      options.log(`${signal}: stopping the processes and cleaning up`);
      void cleanUp({ failed: true }).finally(() => process.exit(130));
    });
  }
  const startApi = async () => {
    const api = fleet.start('api');
    const client = new ChaosClient(`http://127.0.0.1:${port}`, adminKey);
    await client.waitReady(60_000, () => api.child.exitCode === null);
    return { api, client };
  };
  return { workDir, prefix, port, db, adminKey, env, fleet, startApi, cleanUp };
}

async function build(apps: string[], log: (message: string) => void): Promise<void> {
  log(`nest build ${apps.join(', ')}`);
  await Promise.all(
    apps.map(
      (app) =>
        new Promise<void>((resolveBuild, reject) => {
          const child = spawn(process.execPath, [join(ROOT, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build', app], { cwd: ROOT, stdio: ['ignore', 2, 2] });
          child.once('error', reject);
          child.once('exit', (code) => (code === 0 ? resolveBuild() : reject(new Error(`nest build ${app} failed (exit ${code})`))));
        }),
    ),
  );
}
