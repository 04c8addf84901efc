import { CaseflowConfig } from '@app/common';

/** Flags, environment and the size of each section of `npm run bench`. */
export interface BenchOptions {
  quick: boolean;
  /** Keep the database and the Redis keys (and process logs) for inspection. */
  keep: boolean;
  /** Run `nest build api` and `nest build worker` first (off: use dist/ as it is). */
  build: boolean;
  /** Write a CPU profile of the worker (node --cpu-prof) under bench/results/. */
  cpuProf: boolean;
  databaseUrl: string;
  redisUrl: string;
  /** WORKER_CONCURRENCY of the engine's worker, and the concurrency of every other section. */
  concurrency: number;
  /**
   * Client counts of the PostgreSQL ceiling, and concurrencies of the naive worker: the engine's,
   * and 10 (a hand-written worker's usual setting). The ratios divide by the best figure, never
   * the weaker one. Connections stay within MAX_BENCH_CONNECTIONS.
   */
  pgClients: number[];
  naiveConcurrencies: number[];
  /** The other PostgreSQL client count measured (SPEC's reference figure is at 4). */
  pgClientsLow: number;
  /** PostgreSQL ceiling: warm-up then measured seconds, at each client count. */
  pg: { warmUpS: number; measureS: number };
  /** BullMQ sections: jobs queued up front; the first `warmUp` completions are not timed. */
  noop: { jobs: number; warmUp: number };
  naive: { jobs: number; warmUp: number };
  /** Engine: warm-up runs (not timed), then measured runs of the ten-step workflow. */
  engine: { warmUpRuns: number; runs: number };
  /** Latency: open-loop events for warm-up then measured seconds. */
  latency: { warmUpS: number; measureS: number };
  /** Scale: seeded cases, then per query warm-up calls and timed calls. */
  scale: { cases: number; warmUp: number; iterations: number };
  /** POST /v1/cases requests in flight while creating runs (not timed). */
  loadConcurrency: number;
}

export const USAGE = `npm run bench -- [--quick] [--keep] [--no-build] [--cpu-prof]

  --quick      every section shorter and 200,000 cases instead of 1,000,000 (under two minutes)
  --keep       keep the database, the Redis keys and the process logs
  --no-build   use dist/apps/{api,worker}/main.js as they are
  --cpu-prof   write a CPU profile of the worker under bench/results/

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/caseflow_bench; the
database is dropped and created fresh, so its name must contain "bench"; a URL naming the
"postgres" database means caseflow_bench on that server), BENCH_REDIS_URL (default REDIS_URL or
redis://127.0.0.1:6379; keys go under a random prefix, deleted at the end), BENCH_CONCURRENCY
(default: the worker's default WORKER_CONCURRENCY).`;

export class UsageError extends Error {}

/**
 * PostgreSQL connections one bench section opens at most: the server's default max_connections is
 * 100, and the API and the worker hold pools of their own.
 */
export const MAX_BENCH_CONNECTIONS = 64;
const PG_CLIENTS_LOW = 4;
const REFERENCE_CONCURRENCY = 10;

export function parseBenchOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const known = new Set(['--quick', '--keep', '--no-build', '--cpu-prof']);
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') throw new UsageError(USAGE);
    if (!known.has(arg)) throw new UsageError(`Unknown argument "${arg}"\n\n${USAGE}`);
  }
  const quick = argv.includes('--quick');
  const concurrency = benchConcurrency(env.BENCH_CONCURRENCY);
  return {
    quick,
    keep: argv.includes('--keep'),
    build: !argv.includes('--no-build'),
    cpuProf: argv.includes('--cpu-prof'),
    databaseUrl: benchDatabaseUrl(env.BENCH_DATABASE_URL),
    redisUrl: env.BENCH_REDIS_URL || env.REDIS_URL || 'redis://127.0.0.1:6379',
    // The engine's default (CaseflowConfig.WORKER_CONCURRENCY): every section runs at it.
    concurrency,
    pgClients: [...new Set([PG_CLIENTS_LOW, REFERENCE_CONCURRENCY, Math.min(concurrency, MAX_BENCH_CONNECTIONS)])],
    naiveConcurrencies: [...new Set([concurrency, REFERENCE_CONCURRENCY])],
    pgClientsLow: PG_CLIENTS_LOW,
    pg: quick ? { warmUpS: 1, measureS: 2 } : { warmUpS: 3, measureS: 15 },
    noop: quick ? { jobs: 12_000, warmUp: 2_000 } : { jobs: 120_000, warmUp: 20_000 },
    naive: quick ? { jobs: 6_000, warmUp: 1_000 } : { jobs: 40_000, warmUp: 5_000 },
    // Quick keeps the full run's warm-up: with less, the worker's hot paths are not yet optimised when timing starts.
    engine: quick ? { warmUpRuns: 100, runs: 500 } : { warmUpRuns: 100, runs: 2_000 },
    latency: quick ? { warmUpS: 1, measureS: 5 } : { warmUpS: 3, measureS: 30 },
    scale: quick ? { cases: 200_000, warmUp: 10, iterations: 100 } : { cases: 1_000_000, warmUp: 20, iterations: 200 },
    loadConcurrency: 20,
  };
}

function benchConcurrency(raw: string | undefined): number {
  if (raw === undefined || raw === '') return new CaseflowConfig().WORKER_CONCURRENCY;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 500) throw new UsageError(`BENCH_CONCURRENCY must be a whole number from 1 to 500, not "${raw}"`);
  return value;
}

/** The database to drop and recreate. Refuses any whose name does not say it is a bench's. */
function benchDatabaseUrl(raw: string | undefined): string {
  const url = new URL(raw || 'postgres://postgres@127.0.0.1:5432/caseflow_bench');
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  // case-list.bench.ts reads BENCH_DATABASE_URL as a server URL: the same value must work here.
  if (name === '' || name === 'postgres') url.pathname = '/caseflow_bench';
  else if (!/bench/.test(name)) throw new UsageError(`BENCH_DATABASE_URL names "${name}": the bench drops that database, so its name must contain "bench"`);
  return url.toString();
}
