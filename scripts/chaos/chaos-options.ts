/** Command-line flags and environment overrides of `npm run chaos`. */
export interface ChaosOptions {
  /** Runs (cases started with the chaos workflow) to load. */
  runs: number;
  /** Worker processes kept alive (a killed one is replaced at once). */
  workers: number;
  /** WORKER_CONCURRENCY of each worker. */
  workerConcurrency: number;
  /** POST /v1/cases requests in flight. */
  loadConcurrency: number;
  /** Pause between two worker kills: a random value in this range. */
  killEveryMs: [number, number];
  /** After the chaos ends, how long runs may take to complete before the rest count as lost. */
  recoveryDeadlineMs: number;
  /** Longest the chaos goes on after the load has finished (it ends sooner once most runs are done). */
  chaosTailMaxMs: number;
  skipPgRestart: boolean;
  /** Keep the database, the Redis keys and the children's logs for inspection. */
  keep: boolean;
  /** Run `nest build api` and `nest build worker` first. */
  build: boolean;
  databaseUrl: string;
  redisUrl: string;
}

const USAGE = `npm run chaos -- [--runs N] [--workers K] [--quick] [--keep] [--no-build]

  --runs N       runs to load (default 5000; --quick: 500)
  --workers K    worker processes (default 3)
  --quick        500 runs, a shorter chaos tail
  --keep         keep the database, the Redis keys and the process logs
  --no-build     use dist/apps/{api,worker}/main.js as they are

Environment: CHAOS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/caseflow_chaos, dropped and
created fresh), CHAOS_REDIS_URL (default REDIS_URL or redis://127.0.0.1:6379), CHAOS_SKIP_PG_RESTART=1,
CHAOS_WORKER_CONCURRENCY (10), CHAOS_LOAD_CONCURRENCY (20), CHAOS_RECOVERY_DEADLINE_S (180).`;

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n\n${USAGE}`);
  }
}

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${name} must be a whole number above 0, not "${raw}"`);
  return value;
}

export function parseChaosOptions(argv: string[], env: NodeJS.ProcessEnv): ChaosOptions {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') throw new UsageError('Usage:');
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`Unknown argument "${arg}"`);
    const [, name, inline] = match;
    if (['runs', 'workers'].includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else if (['quick', 'keep', 'no-build'].includes(name)) {
      flags.set(name, true);
    } else {
      throw new UsageError(`Unknown flag --${name}`);
    }
  }
  const quick = flags.has('quick');
  const runsFlag = flags.get('runs');
  const workersFlag = flags.get('workers');
  return {
    runs: positive('--runs', typeof runsFlag === 'string' ? runsFlag : undefined, quick ? 500 : 5000),
    workers: positive('--workers', typeof workersFlag === 'string' ? workersFlag : undefined, 3),
    workerConcurrency: positive('CHAOS_WORKER_CONCURRENCY', env.CHAOS_WORKER_CONCURRENCY, 10),
    loadConcurrency: positive('CHAOS_LOAD_CONCURRENCY', env.CHAOS_LOAD_CONCURRENCY, 20),
    killEveryMs: [2000, 4000],
    recoveryDeadlineMs: positive('CHAOS_RECOVERY_DEADLINE_S', env.CHAOS_RECOVERY_DEADLINE_S, 180) * 1000,
    chaosTailMaxMs: quick ? 30_000 : 120_000,
    skipPgRestart: env.CHAOS_SKIP_PG_RESTART === '1' || env.CHAOS_SKIP_PG_RESTART === 'true',
    keep: flags.has('keep'),
    build: !flags.has('no-build'),
    databaseUrl: env.CHAOS_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/caseflow_chaos',
    redisUrl: env.CHAOS_REDIS_URL || env.REDIS_URL || 'redis://127.0.0.1:6379',
  };
}
