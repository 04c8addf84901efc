/**
 * Scale: the case list over a seeded organization, through CaseListRepository (the code the API
 * runs), with case-list.bench.ts's seed and queries. Only the four kinds of list SPEC §8 names.
 */
import { DataSource } from 'typeorm';
import { CaseEntity, CaseListRepository } from '@app/cases';
import { dataSourceOptions } from '@app/persistence';
import { cpuBetween, cpuSnapshot, CpuUsage } from './cpu-usage';
import { deepCursors, listScenarios, prepareListOrganization, scenarioCall, ScenarioResult, timeScenario } from './case-list.scenarios';

/** By view, by status, by a data field, and a deep keyset page. */
export const SCALE_SCENARIOS = ['view', 'status', 'data-eq', 'deep-page'];

export interface ScaleResult {
  cases: number;
  seedSeconds: number;
  /** The worst p95 of the four: the figure SPEC §8 holds under 50 ms. */
  listP95Ms: number;
  tableSize: string;
  queries: Array<Omit<ScenarioResult, 'criteria'>>;
  /** Over the timed queries (not the seed): this process's CPU, and the machine's steal. */
  cpu: CpuUsage;
}

export async function measureListScale(databaseUrl: string, options: { cases: number; warmUp: number; iterations: number }, progress: (message: string) => void): Promise<ScaleResult> {
  const dataSource = new DataSource({ ...dataSourceOptions(databaseUrl, { logging: ['error'] }), entities: [CaseEntity] } as never);
  await dataSource.initialize();
  try {
    const seeding = performance.now();
    const organizationId = await prepareListOrganization(dataSource, options.cases, progress);
    const seedSeconds = (performance.now() - seeding) / 1000;
    const repository = new CaseListRepository(dataSource);
    const scenarios = listScenarios(await deepCursors(repository, organizationId));
    const queries: Array<Omit<ScenarioResult, 'criteria'>> = [];
    const cpuFrom = cpuSnapshot(process.pid);
    for (const key of SCALE_SCENARIOS) {
      const scenario = scenarios.find((candidate) => candidate.key === key);
      if (!scenario) throw new Error(`case-list scenario "${key}" is gone from bench/support/case-list.scenarios.ts`);
      const call = scenarioCall(repository, organizationId, scenario);
      for (let i = 0; i < options.warmUp; i++) await call(i);
      const { criteria: _criteria, ...result } = await timeScenario(scenario, call, options.iterations);
      queries.push(result);
      progress(`list ${scenario.name}: p50 ${result.p50.toFixed(2)} ms, p95 ${result.p95.toFixed(2)} ms`);
    }
    const cpu = cpuBetween(cpuFrom, cpuSnapshot(process.pid));
    const [{ size }] = await dataSource.query(`SELECT pg_size_pretty(pg_total_relation_size('cases')) AS size`);
    return { cases: options.cases, seedSeconds, listP95Ms: Math.max(...queries.map((query) => query.p95)), tableSize: size, queries, cpu };
  } finally {
    await dataSource.destroy();
  }
}
