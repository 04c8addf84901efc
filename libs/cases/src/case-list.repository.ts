import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { CaseEntity } from './case.entity';
import { CaseFilter, DataCondition, FilterScalar, pathSegments } from './case-filter';
import type { CaseCursor, CaseSearch } from './case-list-query.util';

/** Which cases: a validated filter and, from the list's `q`, a search. */
export interface CaseCriteria {
  filter: CaseFilter;
  search?: CaseSearch;
}

/** A case as the list shows it: no blocks, runs or actions, which would cost a query per row. */
export interface CaseListRow {
  id: string;
  type: string;
  status: string;
  statusSet: string;
  workflow: string | null;
  assignee: string | null;
  tags: string[];
  data: Record<string, unknown>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Counts stop here: a sidebar needs "10,000+", and counting a million rows exactly is slow. */
export const COUNT_CAP = 10_000;

/** A match as the two steps return it: where it sits in keyset order. */
type Position = { id: string; cursorAt: string };

/**
 * How many cases a page reads in keyset order before it asks the indexes instead (see page()).
 * The slowest filter is one just too rare to fill a page within the window: it pays for reading
 * the window and then for each of its matches (about limit × cases / window of them). Measured at
 * 1M cases (bench/case-list.bench.ts), 20,000 balances the two; 10,000 and 30,000 were slower.
 * A window of one status, assignee, workflow or type reads a quarter of that: its cases are
 * scattered over the table, a page read for each, where the newest cases of all sit together.
 */
export const PAGE_WINDOW = 20_000;

/** The single-valued conditions that can bound the window as an index range, likeliest-narrowest first. */
const WINDOW_KEYS = ['assignee', 'status', 'workflow', 'type'] as const;
/** What the window hands on, under the names the conditions use, so they apply to it unchanged. */
const WINDOW_COLUMNS = ['id', 'created_at', 'status', 'type', 'workflow', 'assignee', 'tags', 'data', 'search'];

/** `created_at` as UTC text with microseconds, exactly as the keyset comparison needs it. */
const CURSOR_AT = `to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const DIGITS = /^\d+$/;

/**
 * The only SQL of the case list and view counts. Every value reaches PostgreSQL as a bound
 * parameter (data paths as text[] for #> / #>>); the SQL text is built from constants alone.
 * Every query is scoped to one organization.
 */
@Injectable()
export class CaseListRepository {
  /** PAGE_WINDOW; tests shrink it to take both steps on a small table. */
  window = PAGE_WINDOW;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * One page, newest first, and where the next one starts (null on the last page).
   *
   * In two steps, because the planner cannot tell a rare value from a common one. For a tag or a
   * word it has no statistics on it guesses ~0.5% of cases, and then walks the organization in
   * created_at order looking for 51 of them: a full scan when there are none. So the first step
   * reads at most `window` cases in keyset order, through a pure index range, and filters them:
   * when that fills the page, the page is exact, the window being a prefix of the ordered list.
   * Otherwise the matches are rare, and the second step takes them all from the indexes, behind a
   * MATERIALIZED CTE (a fence against that ordered walk), and sorts them. Both carry ids only.
   */
  async page(organizationId: string, criteria: CaseCriteria, page: { after?: CaseCursor; limit: number }) {
    const wanted = page.limit + 1;
    let found: Position[] = [];
    if (!matchesNothing(criteria.filter)) {
      // A case id is found by its primary key: no window to read first.
      if (criteria.search?.kind !== 'id') found = await this.newestMatches(organizationId, criteria, page.after, wanted);
      if (found.length < wanted) found = await this.allMatches(organizationId, criteria, page.after, wanted);
    }
    const onPage = found.slice(0, page.limit);
    const ids = onPage.map(({ id }) => id);
    const rows = ids.length ? await ordered(withListColumns(this.cases(organizationId)).andWhere('c.id IN (:...ids)', { ids })).getRawMany<CaseListRow>() : [];
    // The cursor comes from the matches, not the rows read after them: a case deleted in between
    // leaves its page one short, but the walk goes on.
    const last = onPage[onPage.length - 1];
    return { rows, next: found.length > page.limit && last ? { createdAt: last.cursorAt, id: last.id } : null };
  }

  /** How many cases match, counted up to `cap` and no further. */
  async count(organizationId: string, criteria: CaseCriteria, cap = COUNT_CAP): Promise<{ count: number; capped: boolean }> {
    if (matchesNothing(criteria.filter)) return { count: 0, capped: false };
    const [sql, parameters] = withCriteria(this.cases(organizationId), criteria).select('1').limit(cap + 1).getQueryAndParameters();
    const [{ count }] = await this.dataSource.query<Array<{ count: number }>>(`SELECT count(*)::int AS count FROM (${sql}) AS matched`, parameters);
    return { count: Math.min(count, cap), capped: count > cap };
  }

  /** Step one: the matches among the next `window` cases of one index range. */
  private async newestMatches(organizationId: string, criteria: CaseCriteria, after: CaseCursor | undefined, wanted: number): Promise<Position[]> {
    const key = WINDOW_KEYS.map((field) => ({ field, value: criteria.filter[field]?.length === 1 ? criteria.filter[field]![0] : null })).find(
      ({ value }) => value !== null,
    );
    const window = ordered(this.cases(organizationId, after), key ? Math.ceil(this.window / 4) : this.window).select(WINDOW_COLUMNS.map((column) => `c.${column} AS ${column}`));
    if (key) window.andWhere(`c.${key.field} = :windowKey`, { windowKey: key.value });
    const rest: CaseCriteria = { ...criteria, filter: { ...criteria.filter, ...(key && { [key.field]: undefined }) } };
    // The outer query calls the window `c` too, so that every condition applies to it as written.
    const outer = this.dataSource.createQueryBuilder().select('c.id', 'id').addSelect(CURSOR_AT, 'cursorAt').from(`(${window.getQuery()})`, 'c').where('TRUE');
    return ordered(withCriteria(outer, rest), wanted).setParameters(window.getParameters()).getRawMany<Position>();
  }

  /** Step two: every match after the cursor, from the indexes, sorted. */
  private async allMatches(organizationId: string, criteria: CaseCriteria, after: CaseCursor | undefined, wanted: number): Promise<Position[]> {
    const matching = withCriteria(this.cases(organizationId, after), criteria).select('c.id', 'id').addSelect('c.created_at', 'created_at');
    return this.dataSource
      .createQueryBuilder()
      .addCommonTableExpression(matching, 'matching', { materialized: true })
      .select('c.id', 'id')
      .addSelect(CURSOR_AT, 'cursorAt')
      .from('matching', 'c')
      .orderBy('c.created_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(wanted)
      .setParameters(matching.getParameters())
      .getRawMany<Position>();
  }

  /** The organization's cases, after the cursor when there is one. */
  private cases(organizationId: string, after?: CaseCursor): SelectQueryBuilder<CaseEntity> {
    const query = this.dataSource.createQueryBuilder(CaseEntity, 'c').where('c.organization_id = :organizationId', { organizationId });
    if (after) {
      query.andWhere('(c.created_at, c.id) < (CAST(:afterAt AS timestamptz), CAST(:afterId AS uuid))', { afterAt: after.createdAt, afterId: after.id });
    }
    return query;
  }
}

/** An empty list only comes out of mergeFilters (a view and parameters that exclude each other). */
function matchesNothing(filter: CaseFilter): boolean {
  return (['workflow', 'status', 'type', 'assignee'] as const).some((field) => filter[field]?.length === 0);
}

/** The filter's and the search's conditions, on whatever the query calls `c`. */
function withCriteria<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, { filter, search }: CaseCriteria): SelectQueryBuilder<T> {
  const name = parameterNames();
  for (const column of ['workflow', 'status', 'type'] as const) {
    const values = filter[column];
    if (values) {
      const p = name();
      query.andWhere(`c.${column} IN (:...${p})`, { [p]: values });
    }
  }
  if (filter.assignee) {
    const p = name();
    const named = filter.assignee.filter((value): value is string => value !== null);
    const either = [...(named.length ? [`c.assignee IN (:...${p})`] : []), ...(filter.assignee.includes(null) ? ['c.assignee IS NULL'] : [])];
    query.andWhere(`(${either.join(' OR ')})`, { [p]: named });
  }
  if (filter.tag) {
    const p = name();
    query.andWhere(`c.tags @> CAST(:${p} AS text[])`, { [p]: filter.tag });
  }
  for (const condition of filter.data ?? []) {
    const [sql, parameters] = dataCondition(condition, name);
    query.andWhere(sql, parameters);
  }
  if (search?.kind === 'id') {
    const p = name();
    query.andWhere(`c.id = CAST(:${p} AS uuid)`, { [p]: search.id });
  } else if (search?.kind === 'words') {
    const p = name();
    // `search` is the generated tsvector (GIN-indexed), deliberately not mapped in CaseEntity.
    query.andWhere(`c.search @@ to_tsquery('simple', :${p})`, { [p]: search.tsquery });
  }
  return query;
}

/** Keyset order: the (organization_id, …, created_at DESC, id DESC) indexes serve it as a range. */
function ordered<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, limit?: number): SelectQueryBuilder<T> {
  return query.orderBy('c.created_at', 'DESC').addOrderBy('c.id', 'DESC').limit(limit);
}

function withListColumns<T extends ObjectLiteral>(query: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  return query
    .select('c.id', 'id')
    .addSelect('c.type', 'type')
    .addSelect('c.status', 'status')
    .addSelect('c.status_set', 'statusSet')
    .addSelect('c.workflow', 'workflow')
    .addSelect('c.assignee', 'assignee')
    .addSelect('c.tags', 'tags')
    .addSelect('c.data', 'data')
    .addSelect('c.version', 'version')
    .addSelect('c.created_at', 'createdAt')
    .addSelect('c.updated_at', 'updatedAt');
}

function parameterNames(): () => string {
  let next = 0;
  return () => `f${next++}`;
}

/**
 * SQL for one data condition. `eq` and `in` on object paths become jsonb containment (`@>`), which
 * the GIN jsonb_path_ops index answers. A path with an all-digits segment may index an array or
 * name an object key, which containment cannot express both of, so it compares the value at the
 * path instead (exact, but not index-assisted).
 */
function dataCondition(condition: DataCondition, name: () => string): [string, ObjectLiteral] {
  const segments = pathSegments(condition.path);
  const path = name();
  const at = `c.data #> CAST(:${path} AS text[])`;
  const byContainment = !segments.some((segment) => DIGITS.test(segment));
  const p = name();
  switch (condition.op) {
    case 'eq':
      return byContainment
        ? [`c.data @> CAST(:${p} AS jsonb)`, { [p]: containment(segments, condition.value) }]
        : [`${at} = CAST(:${p} AS jsonb)`, { [path]: segments, [p]: JSON.stringify(condition.value) }];
    case 'in':
      return byContainment
        ? [`c.data @> ANY(CAST(:${p} AS jsonb[]))`, { [p]: condition.value.map((value) => containment(segments, value)) }]
        : [`${at} = ANY(CAST(:${p} AS jsonb[]))`, { [path]: segments, [p]: condition.value.map((value) => JSON.stringify(value)) }];
    case 'exists':
      return [`${at} IS NOT NULL`, { [path]: segments }];
    case 'contains': {
      const holds = `${at} @> CAST(:${p} AS jsonb)`;
      const parameters = { [path]: segments, [p]: JSON.stringify([condition.value]) };
      if (typeof condition.value !== 'string') return [holds, parameters];
      const like = name();
      const substring = `(jsonb_typeof(${at}) = 'string' AND c.data #>> CAST(:${path} AS text[]) ILIKE :${like})`;
      return [`(${holds} OR ${substring})`, { ...parameters, [like]: `%${escapeLike(condition.value)}%` }];
    }
  }
}

/** `{"company":{"country":"HK"}}` for company.country = "HK". */
function containment(segments: string[], value: FilterScalar): string {
  // Computed keys define own properties, so even a "__proto__" segment stays plain data.
  return JSON.stringify(segments.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value));
}

/** LIKE's wildcards and its escape character, taken literally (backslash is the default escape). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
