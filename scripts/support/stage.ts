import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@app/common';
import { ChaosDatabase } from '../chaos/chaos-database';

const ROOT = resolve(__dirname, '..', '..');

export interface StageOptions {
  /** `chaos` or `bench`: names the temp folder, the Redis prefix and the admin key. */
  name: string;
  databaseUrl: string;
  redisUrl: string;
  workerConcurrency: number;
  /** Build the API and worker bundles first (nest build), or use dist/ as it is. */
  build: boolean;
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
}

/**
 * Sets up a run of real API and worker processes: private copies of the built bundles (a rebuild
 * of dist/ during the run must not change what a restarted worker runs), a database name and a
 * BullMQ prefix of its own, a free port, an admin key. The database is not created here.
 */
export async function prepareStage(options: StageOptions): Promise<Stage> {
  const workDir = mkdtempSync(join(tmpdir(), `caseflow-${options.name}-`));
  for (const folder of ['logs', 'workflows', 'bundle/api', 'bundle/worker']) mkdirSync(join(workDir, folder), { recursive: true });
  if (options.build) await build(['api', 'worker'], options.log);
  for (const app of ['api', 'worker']) copyFileSync(join(ROOT, 'dist', 'apps', app, 'main.js'), join(workDir, 'bundle', app, 'main.js'));
  const prefix = `caseflow_${options.name}_${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const adminKey = `${options.name}-admin-${randomBytes(16).toString('hex')}`;
  return {
    workDir,
    prefix,
    port,
    db: new ChaosDatabase(options.databaseUrl),
    adminKey,
    env: {
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
    },
  };
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
