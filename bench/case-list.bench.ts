/**
 * The case list at a million cases (SPEC §8: under 50 ms p95 with keyset pages).
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/case-list.bench.ts [--keep] [--reuse] [--explain] [--only=q] [--cases=N]
 *
 * Creates the database caseflow_bench_list on BENCH_DATABASE_URL's server (default: the local
 * PostgreSQL), runs the migrations, seeds one organization with N cases (default 1,000,000) in
 * one INSERT … SELECT, then times each query through CaseListRepository, the code the API runs.
 * Prints p50/p95/p99 as a table, writes bench/results/case-list-<timestamp>.json, and drops the
 * database unless --keep. --reuse keeps a database seeded by an earlier --keep run; --explain
 * prints EXPLAIN (ANALYZE, BUFFERS) of each query; --only=<text> runs the queries whose name holds
 * it. Progress goes to stderr.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { AbstractLogger, DataSource, LogLevel, LogMessage } from 'typeorm';
import { CaseEntity, CaseListRepository } from '@app/cases';
import { dataSourceOptions, MIGRATIONS } from '@app/persistence';
import { deepCursors, listScenarios, prepareListOrganization, scenarioCall, timeScenario } from './support/case-list.scenarios';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const CASES = Number(args.find((arg) => arg.startsWith('--cases='))?.slice(8) ?? 1_000_000);
const ONLY = args.find((arg) => arg.startsWith('--only='))?.slice(7);
const DATABASE = 'caseflow_bench_list';
const ITERATIONS = 200;
const WARM_UP = 20;
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** Remembers the SQL TypeORM ran, so --explain can explain exactly what the repository sent. */
class QueryRecorder extends AbstractLogger {
  queries: Array<{ sql: string; parameters: unknown[] }> = [];
  override logQuery(query: string, parameters?: unknown[]) {
    this.queries.push({ sql: query, parameters: parameters ?? [] });
  }
  protected writeLog(_level: LogLevel, _message: LogMessage | LogMessage[]) {}
}

function urlFor(database: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function main() {
  if (!flag('reuse')) await admin((client) => client.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`));
  await admin(async (client) => {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!exists.rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  });
  const logger = new QueryRecorder();
  const dataSource = new DataSource({
    ...dataSourceOptions(urlFor(DATABASE), { migrations: MIGRATIONS, logging: flag('explain') ? ['query'] : ['error'], logger }),
    entities: [CaseEntity],
  } as never);
  await dataSource.initialize();
  try {
    progress('running migrations');
    await dataSource.runMigrations({ transaction: 'each' });
    const organizationId = await prepareListOrganization(dataSource, CASES, progress);
    const repository = new CaseListRepository(dataSource);
    const all = listScenarios(await deepCursors(repository, organizationId)).filter((scenario) => !ONLY || scenario.name.includes(ONLY));
    const results = [];
    for (const scenario of all) {
      const run = scenarioCall(repository, organizationId, scenario);
      for (let i = 0; i < WARM_UP; i++) await run(i);
      if (flag('explain')) {
        for (let i = 0; i < scenario.criteria.length; i++) {
          logger.queries = [];
          await run(i);
          const recorded = logger.queries; // a copy: the EXPLAINs below are recorded too
          logger.queries = [];
          for (const [step, { sql, parameters }] of recorded.entries()) {
            const plan = await dataSource.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, parameters);
            progress(`EXPLAIN ${scenario.name} #${i} statement ${step + 1}\n${plan.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n')}`);
          }
        }
      }
      const result = await timeScenario(scenario, run, ITERATIONS);
      results.push(result);
      progress(`${scenario.name}: p50 ${result.p50.toFixed(2)} ms, p95 ${result.p95.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`);
    }
    report(results, await environment(dataSource));
  } finally {
    await dataSource.destroy();
    if (!flag('keep')) await admin((client) => client.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`));
  }
}

async function environment(dataSource: DataSource) {
  const setting = async (name: string) => (await dataSource.query(`SELECT current_setting($1) AS value`, [name]))[0].value as string;
  return {
    cases: CASES,
    postgres: await setting('server_version'),
    sharedBuffers: await setting('shared_buffers'),
    workMem: await setting('work_mem'),
    tableSize: (await dataSource.query(`SELECT pg_size_pretty(pg_total_relation_size('cases')) AS size`))[0].size,
    node: process.version,
  };
}

function report(results: Array<{ name: string; p50: number; p95: number; p99: number; rows: { min: number; max: number } }>, env: object) {
  const line = (cells: string[]) => `| ${cells[0].padEnd(34)} | ${cells.slice(1).map((cell) => cell.padStart(8)).join(' | ')} |`;
  const table = [
    line(['query (50 a page)', 'p50 ms', 'p95 ms', 'p99 ms', 'rows', 'p95<50']),
    `|${'-'.repeat(36)}|${Array.from({ length: 5 }, () => '-'.repeat(10)).join('|')}|`,
    ...results.map((r) => line([r.name, r.p50.toFixed(2), r.p95.toFixed(2), r.p99.toFixed(2), r.rows.min === r.rows.max ? `${r.rows.min}` : `${r.rows.min}-${r.rows.max}`, r.p95 < 50 ? 'yes' : 'NO'])),
  ];
  process.stdout.write(`${table.join('\n')}\n`);
  const folder = join(__dirname, 'results');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `case-list-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), environment: env, iterations: ITERATIONS, warmUp: WARM_UP, results }, null, 2)}\n`);
  progress(`wrote ${file}`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
