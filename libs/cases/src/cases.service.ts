import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, isUuid, NotFoundError, orgKey, UnprocessableError } from '@app/common';
import { queryAndCommit, uuidArrayLiteral } from '@app/persistence';
import { StatusesService } from '@app/statuses';
import { CaseAuditService } from './case-audit.service';
import { assertVersion } from './case-status-changes.service';
import { BlockType, CaseBlockEntity } from './case-block.entity';
import { CaseEntity } from './case.entity';
import { CaseDetail, CaseRunSummary, CaseView, toCaseView } from './case.view';

export interface NewCase {
  type: string;
  statusSet?: string;
  data?: Record<string, unknown>;
  blocks?: Array<{ key: string; type: BlockType; title: string; data?: unknown }>;
  parentId?: string | null;
}

/** A case's columns under their property names: a raw row is then a CaseEntity as it is. */
const CASE_COLUMNS = `c.id, c.organization_id AS "organizationId", c.type, c.status_set AS "statusSet", c.status, c.assignee, c.tags, c.data,
  c.version, c.workflow, c.parent_id AS "parentId", c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;

type CaseViewBlock = CaseView['blocks'][number];

type CaseDetailRow = CaseEntity & { blocks: CaseViewBlock[]; actions: string[] | null; children: CaseView['children']; runs: CaseRunSummary[] };

/**
 * What a case's answer shows beside the row: the actions its status offers, its blocks, its child
 * cases. Children are found by their parent alone and kept to the case's organization by the
 * aggregate's FILTER: as a condition beside `parent_id`, the organization made PostgreSQL, on a
 * table not yet analyzed, add a read of the organization's whole index to the parent's.
 */
const CASE_VIEW_COLUMNS = `${CASE_COLUMNS},
    (SELECT s.actions FROM statuses s WHERE s.organization_id = c.organization_id AND s.set_key = c.status_set AND s.key = c.status) AS actions,
    (SELECT coalesce(json_agg(json_build_object(
       'key', b.key, 'type', b.type, 'title', b.title, 'data', b.data, 'status', b.status, 'decision', b.decision
     ) ORDER BY b.position), '[]')
     FROM case_blocks b WHERE b.case_id = c.id AND b.organization_id = c.organization_id) AS blocks,
    (SELECT coalesce(json_agg(json_build_object('id', k.id, 'type', k.type, 'status', k.status) ORDER BY k.created_at)
       FILTER (WHERE k.organization_id = c.organization_id), '[]')
     FROM cases k WHERE k.parent_id = c.id) AS children`;

/**
 * A case's runs as its answer lists them, oldest first (CaseRunSummary): read with the case, so
 * that an answer costs one statement.
 */
const CASE_RUNS_COLUMN = `(SELECT coalesce(json_agg(json_build_object(
       'id', r.id, 'workflow', r.workflow_key, 'version', r.workflow_version, 'status', r.status, 'state', r.state
     ) ORDER BY r.created_at), '[]')
     FROM runs r WHERE r.case_id = c.id AND r.organization_id = c.organization_id) AS runs`;
const CASE_DETAIL_COLUMNS = `${CASE_VIEW_COLUMNS},\n    ${CASE_RUNS_COLUMN}`;

/**
 * The cases of a list of ids, read by primary key into `named`, for a statement that then keeps
 * those of the callers' organizations. The organization is checked after the lookup, not beside
 * it: `c.id = ANY(...) AND c.organization_id = ANY(...)` are both conditions of every index that
 * leads with the organization and ends with the id (the case list's), and on a table not yet
 * analyzed (a new deployment's first minute, a bench's database) PostgreSQL read one of those,
 * every case of the organization to find a few: 20 times the primary key's time at 3,000 cases,
 * growing with the organization. A materialized CTE is planned on its own, on the id alone.
 */
const namedCases = (caseIds: string[]) => `WITH named AS MATERIALIZED (SELECT * FROM cases WHERE id = ANY(${uuidArrayLiteral(caseIds)}))`;

function caseDetailOf({ blocks, actions, children, runs, ...found }: CaseDetailRow): CaseDetail {
  const view = toCaseView(
    Object.assign(new CaseEntity(), found),
    blocks.map((block) => Object.assign(new CaseBlockEntity(), block)),
    actions ?? [],
    children,
  );
  return { ...view, runs };
}

/** Case-level use-cases inside the caller's transaction: creation, status, assignment, tags. */
@Injectable()
export class CasesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly statuses: StatusesService,
    private readonly audit: CaseAuditService,
  ) {}

  /** Creates a case in its set's initial status and records its creation in the audit trail. */
  async create(manager: EntityManager, organizationId: string, input: NewCase, actor: Actor): Promise<CaseEntity> {
    const statusSet = input.statusSet ?? 'default';
    const initial = await this.statuses.initialStatus(organizationId, statusSet, manager);
    if (input.parentId) await this.findCase(organizationId, input.parentId, manager);
    const keys = new Set<string>();
    for (const block of input.blocks ?? []) {
      if (keys.has(block.key)) throw new UnprocessableError('DUPLICATE_BLOCK_KEY', `Block key "${block.key}" is used twice.`, { key: block.key });
      keys.add(block.key);
    }
    const created = await manager.save(
      CaseEntity,
      manager.create(CaseEntity, {
        organizationId,
        type: input.type,
        statusSet,
        status: initial.key,
        assignee: null,
        tags: [],
        data: input.data ?? {},
        version: 1,
        parentId: input.parentId ?? null,
        workflow: null,
      }),
    );
    if (input.blocks?.length) {
      await manager.insert(
        CaseBlockEntity,
        input.blocks.map((block, position) => ({
          organizationId,
          caseId: created.id,
          key: block.key,
          type: block.type,
          title: block.title,
          data: block.data ?? {},
          status: null,
          decision: null,
          position,
        })),
      );
    }
    await this.audit.record(manager, organizationId, created.id, actor, { type: 'case_created', to: initial.key });
    return created;
  }

  /** Assigns the case to a reviewer or a queue (`queue:<name>`), or unassigns it with null. */
  async assign(manager: EntityManager, organizationId: string, caseId: string, assignee: string | null, actor: Actor, expectedVersion?: number) {
    const current = await this.lockCase(manager, organizationId, caseId);
    assertVersion(current, expectedVersion, 'conflict');
    const previous = current.assignee;
    if (previous === assignee) return current;
    await this.touch(manager, current, { assignee });
    await this.audit.record(manager, organizationId, caseId, actor, { type: 'assignee_changed', from: previous, to: assignee });
    return current;
  }

  /** Adds and removes tags; one audit entry per tag that really changed. */
  async changeTags(manager: EntityManager, organizationId: string, caseId: string, change: { add?: string[]; remove?: string[] }, actor: Actor) {
    const current = await this.lockCase(manager, organizationId, caseId);
    const tags = new Set(current.tags);
    const added = (change.add ?? []).filter((tag) => !tags.has(tag) && tags.add(tag));
    const removed = (change.remove ?? []).filter((tag) => tags.delete(tag));
    if (added.length === 0 && removed.length === 0) return current;
    await this.touch(manager, current, { tags: [...tags].sort() });
    for (const tag of added) await this.audit.record(manager, organizationId, caseId, actor, { type: 'tag_added', to: tag });
    for (const tag of removed) await this.audit.record(manager, organizationId, caseId, actor, { type: 'tag_removed', from: tag });
    return current;
  }

  /**
   * Applies changes to a locked case and bumps its version: every change is seen by optimistic
   * readers. `current` is updated in place, so read any "from" value before calling this.
   */
  async touch(manager: EntityManager, current: CaseEntity, changes: Partial<Pick<CaseEntity, 'status' | 'assignee' | 'tags'>> = {}): Promise<number> {
    const version = current.version + 1;
    await manager.update(CaseEntity, { id: current.id, organizationId: current.organizationId }, { ...changes, version });
    Object.assign(current, changes, { version });
    return version;
  }

  /** Loads a case of the organization and holds its row lock until the transaction ends. */
  lockCase(manager: EntityManager, organizationId: string, caseId: string): Promise<CaseEntity> {
    return this.load(manager, organizationId, caseId, true);
  }

  findCase(organizationId: string, caseId: string, manager: EntityManager = this.dataSource.manager): Promise<CaseEntity> {
    return this.load(manager, organizationId, caseId, false);
  }

  /**
   * Cases by id, for a batch of events whose guards read them: one statement with the ids inlined,
   * so it travels with the batch's deferred writes. Cases of other organizations, and unknown ids,
   * are absent.
   */
  async findCases(manager: EntityManager, organizationIds: string[], caseIds: string[]): Promise<Map<string, CaseEntity>> {
    if (caseIds.length === 0) return new Map();
    const rows: CaseEntity[] = await manager.query(
      `${namedCases(caseIds)} SELECT ${CASE_COLUMNS} FROM named c WHERE c.organization_id = ANY(${uuidArrayLiteral(organizationIds)})`,
    );
    return new Map(rows.map((row) => [row.id, Object.assign(new CaseEntity(), row)]));
  }

  // Plain SQL: every status change and every case read comes here.
  private async load(manager: EntityManager, organizationId: string, caseId: string, lock: boolean): Promise<CaseEntity> {
    if (!isUuid(caseId)) throw new NotFoundError('Case', caseId);
    const rows: CaseEntity[] = await manager.query(
      lock ? `SELECT ${CASE_COLUMNS} FROM cases c WHERE c.id = $1 AND c.organization_id = $2 FOR UPDATE` : `SELECT ${CASE_COLUMNS} FROM cases c WHERE c.id = $1 AND c.organization_id = $2`,
      [caseId, organizationId],
    );
    if (rows.length === 0) throw new NotFoundError('Case', caseId);
    return Object.assign(new CaseEntity(), rows[0]);
  }

  /** The case as every route answers it: with its blocks, the actions its status allows, its child cases and its runs, in one statement. */
  async detail(organizationId: string, caseId: string, manager: EntityManager = this.dataSource.manager): Promise<CaseDetail> {
    if (!isUuid(caseId)) throw new NotFoundError('Case', caseId);
    const rows: CaseDetailRow[] = await manager.query(`SELECT ${CASE_DETAIL_COLUMNS} FROM cases c WHERE c.id = $1 AND c.organization_id = $2`, [caseId, organizationId]);
    if (rows.length === 0) throw new NotFoundError('Case', caseId);
    return caseDetailOf(rows[0]);
  }

  /** The case's runs as they are now, for an answer stored without them (a replay); none for an unknown case. */
  async runsOf(organizationId: string, caseId: string): Promise<CaseRunSummary[]> {
    if (!isUuid(caseId)) return [];
    const rows: Array<{ runs: CaseRunSummary[] }> = await this.dataSource.query(`SELECT ${CASE_RUNS_COLUMN} FROM cases c WHERE c.id = $1 AND c.organization_id = $2`, [
      caseId,
      organizationId,
    ]);
    return rows[0]?.runs ?? [];
  }

  /**
   * Many cases as their answers show them, runs included, in one statement, with the ids inlined
   * so it can travel with a batch's deferred writes and read them, by orgKey. Cases of other
   * organizations, and unknown ids, are absent. With `andCommit` it is the transaction's last
   * statement and carries its COMMIT.
   */
  async details(manager: EntityManager, cases: Array<{ organizationId: string; caseId: string }>, options: { andCommit?: boolean } = {}): Promise<Map<string, CaseDetail>> {
    const named = cases.filter(({ caseId }) => isUuid(caseId));
    if (named.length === 0) return new Map();
    const sql = `${namedCases([...new Set(named.map(({ caseId }) => caseId))])}
       SELECT ${CASE_DETAIL_COLUMNS} FROM named c WHERE c.organization_id = ANY(${uuidArrayLiteral([...new Set(named.map(({ organizationId }) => organizationId))])})`;
    const rows: CaseDetailRow[] = options.andCommit ? await queryAndCommit(manager, sql) : await manager.query(sql);
    return new Map(rows.map((row) => [orgKey(row.organizationId, row.id), caseDetailOf(row)]));
  }

  async listEvents(organizationId: string, caseId: string, options: { cursor?: string; limit: number }) {
    await this.findCase(organizationId, caseId);
    return this.audit.list(organizationId, caseId, options);
  }
}
