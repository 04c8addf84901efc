/**
 * The case-list queries and their timing, shared by bench/case-list.bench.ts (every scenario, with
 * --explain) and bench/bench.ts (the four SPEC §8 asks for), so both time exactly the same thing.
 */
import type { DataSource } from 'typeorm';
import { CaseCriteria, CaseCursor, CaseFilter, CaseListRepository, parseSearch } from '@app/cases';
import { BUILT_IN_STATUS_SETS } from '@app/statuses';
import { seedCases } from '../case-list.seed';

export interface Scenario {
  /** Stable handle for callers that pick scenarios (bench.ts); `name` is for people. */
  key: string;
  name: string;
  /** Each iteration takes the next of these, so a query is not timed on one value only. */
  criteria: CaseCriteria[];
  kind: 'page' | 'count';
  /** Pages after these positions (each ~50 pages deep) instead of first pages. */
  cursors?: CaseCursor[];
}

export interface ScenarioResult {
  key: string;
  name: string;
  iterations: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  rows: { min: number; max: number };
  criteria: CaseCriteria[];
}

/**
 * The `bench` organization with the built-in status sets and `count` seeded cases. Returns its id;
 * a database already seeded with exactly `count` cases is reused (case-list.bench.ts --reuse).
 */
export async function prepareListOrganization(dataSource: DataSource, count: number, progress: (message: string) => void): Promise<string> {
  const found = await dataSource.query(`SELECT o.id, (SELECT count(*)::int FROM cases c WHERE c.organization_id = o.id) AS cases FROM organizations o WHERE slug = 'bench'`);
  if (found[0]?.cases === count) {
    progress(`reusing ${count} seeded cases`);
    return found[0].id;
  }
  if (found.length) throw new Error(`the database holds a different seed of the 'bench' organization (run without --reuse)`);
  const [{ id }] = await dataSource.query(`INSERT INTO organizations (slug, name) VALUES ('bench', 'Bench') RETURNING id`);
  // The status sets every organization starts with, as OrganizationsService would seed them.
  for (const set of BUILT_IN_STATUS_SETS) {
    await dataSource.query(`INSERT INTO status_sets (organization_id, key, label, action_targets, built_in) VALUES ($1, $2, $3, $4, true)`, [
      id,
      set.key,
      set.label,
      JSON.stringify(set.actionTargets),
    ]);
    for (const [position, status] of set.statuses.entries()) {
      await dataSource.query(
        `INSERT INTO statuses (organization_id, set_key, key, label, category, terminal, initial, actions, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [id, set.key, status.key, status.label, status.category, status.terminal ?? false, status.initial ?? false, status.actions ?? [], position],
      );
    }
  }
  await seedCases(dataSource, id, count, progress);
  return id;
}

export function listScenarios(deepCursors: CaseCursor[]): Scenario[] {
  const words = (q: string): CaseCriteria => ({ filter: {}, search: parseSearch(q).search });
  const country = (value: string): CaseFilter => ({ data: [{ path: 'company.country', op: 'eq', value }] });
  const view: CaseFilter[] = [
    { workflow: ['kyb-onboarding'], status: ['manual_review'], assignee: [null], data: [{ path: 'company.country', op: 'eq', value: 'HK' }] },
    { type: ['kyb'], status: ['manual_review', 'revisions'], tag: ['urgent'] },
    { workflow: ['kyb-onboarding'], status: ['pending_process', 'pending_id_verification'], data: [{ path: 'company.country', op: 'in', value: ['HK', 'SG'] }] },
    { status: ['pending'], assignee: ['reviewer-7'], tag: ['pep'] },
  ];
  return [
    { key: 'status', name: 'status, first page', kind: 'page', criteria: ['manual_review', 'pending', 'approved', 'revisions', 'open'].map((status) => ({ filter: { status: [status] } })) },
    { key: 'view', name: 'view-like combined filter', kind: 'page', criteria: view.map((filter) => ({ filter })) },
    { key: 'data-eq', name: 'data eq company.country=HK', kind: 'page', criteria: ['HK', 'SG', 'LU', 'PA'].map((value) => ({ filter: country(value) })) },
    {
      key: 'data-in',
      name: 'data in company.country',
      kind: 'page',
      criteria: [['HK', 'SG', 'JP'], ['LU', 'PA'], ['GB', 'US', 'DE', 'FR', 'CH', 'NL']].map((value) => ({ filter: { data: [{ path: 'company.country', op: 'in', value }] } })),
    },
    { key: 'q', name: 'q (word prefixes)', kind: 'page', criteria: ['lovelace', 'hopp', 'ada lovelace', 'acme', 'kowalski zürich'].map(words) },
    // A search for one company, person or number: rare or absent words, the planner's blind spot.
    { key: 'q-rare', name: 'q (rare/absent words, ids)', kind: 'page', criteria: ['zzzz', 'RN-500000', 'user12345@example.com', 'lovelace zzz', 'Zürich Trust KK'].map(words) },
    { key: 'deep-page', name: 'deep keyset page (page ~51)', kind: 'page', criteria: [{ filter: { status: ['approved'] } }], cursors: deepCursors },
    // Tags the planner has no statistics for (new, or on a handful of cases) look like ~0.5% to it.
    {
      key: 'tag-rare',
      name: 'tag, rare or unknown',
      kind: 'page',
      criteria: [['brand-new-tag'], ['vip', 'sanctions'], ['urgent', 'pep', 'sanctions']].map((tag) => ({ filter: { tag } })),
    },
    // Not index-assisted (see case-list.repository.ts): a condition almost no case meets reads them all.
    {
      key: 'exists-contains',
      name: 'exists/contains, rare (known limit)',
      kind: 'page',
      criteria: [
        { filter: { data: [{ path: 'documents.5', op: 'exists' }] } },
        { filter: { data: [{ path: 'company.name', op: 'contains', value: 'zzz' }] } },
      ],
    },
    { key: 'count', name: 'capped count', kind: 'count', criteria: [...view, { status: ['manual_review'] }, country('HK'), {}].map((filter) => ({ filter })) },
  ];
}

/** Cursors of the first `pages` pages of a list: the positions deep pages start from. */
export async function walk(repository: CaseListRepository, organizationId: string, criteria: CaseCriteria, pages: number): Promise<CaseCursor[]> {
  const cursors: CaseCursor[] = [];
  let after: CaseCursor | undefined;
  for (let page = 0; page < pages; page++) {
    const { next } = await repository.page(organizationId, criteria, { after, limit: 50 });
    if (!next) break;
    cursors.push(next);
    after = next;
  }
  return cursors;
}

/** The deep-page scenario's cursors: the positions after pages 50 to 60 of the approved cases. */
export async function deepCursors(repository: CaseListRepository, organizationId: string): Promise<CaseCursor[]> {
  return (await walk(repository, organizationId, { filter: { status: ['approved'] } }, 60)).slice(49);
}

/** One call of the scenario, as the API would make it; resolves to the rows (or count) returned. */
export function scenarioCall(repository: CaseListRepository, organizationId: string, scenario: Scenario): (i: number) => Promise<number> {
  return async (i: number) => {
    const criteria = scenario.criteria[i % scenario.criteria.length];
    if (scenario.kind === 'count') return (await repository.count(organizationId, criteria)).count;
    const after = scenario.cursors ? scenario.cursors[i % scenario.cursors.length] : undefined;
    return (await repository.page(organizationId, criteria, { after, limit: 50 })).rows.length;
  };
}

/** Times `iterations` sequential calls (after the caller's warm-up): one query at a time, as one reviewer. */
export async function timeScenario(scenario: Scenario, call: (i: number) => Promise<number>, iterations: number): Promise<ScenarioResult> {
  const timings: number[] = [];
  const rows: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = process.hrtime.bigint();
    rows.push(await call(i));
    timings.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const sorted = [...timings].sort((a, b) => a - b);
  return {
    key: scenario.key,
    name: scenario.name,
    iterations,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
    rows: { min: Math.min(...rows), max: Math.max(...rows) },
    criteria: scenario.criteria,
  };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
