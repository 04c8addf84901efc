import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, ConflictError, isUuid, NotFoundError, UnprocessableError } from '@app/common';
import { StatusesService } from '@app/statuses';
import { BlockType, CaseBlockEntity } from './case-block.entity';
import { CaseEventEntity } from './case-event.entity';
import { CaseEntity } from './case.entity';
import { CaseView, toCaseView } from './case.view';

export interface NewCase {
  type: string;
  statusSet?: string;
  data?: Record<string, unknown>;
  blocks?: Array<{ key: string; type: BlockType; title: string; data?: unknown }>;
  parentId?: string | null;
}

export interface StatusChange {
  caseId: string;
  status: string;
  reason?: string | null;
  /** Allows leaving a terminal status. */
  reopen?: boolean;
  actor: Actor;
}

export interface StatusChangeResult {
  caseId: string;
  from: string;
  to: string;
  changed: boolean;
  version: number;
}

@Injectable()
export class CasesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly statuses: StatusesService,
  ) {}

  /** Creates a case in its set's initial status and records its creation in the audit trail. */
  async create(manager: EntityManager, organizationId: string, input: NewCase, actor: Actor): Promise<CaseEntity> {
    const statusSet = input.statusSet ?? 'default';
    const initial = await this.statuses.initialStatus(organizationId, statusSet, manager);
    if (input.parentId) await this.lockCase(manager, organizationId, input.parentId, false);
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
    await this.recordEvent(manager, organizationId, created.id, actor, { type: 'case_created', to: initial.key });
    return created;
  }

  /**
   * Sets a case's status inside the caller's transaction (a workflow step commits it together with
   * the step's completion). Setting the status it already has changes nothing and records nothing.
   */
  async changeStatus(manager: EntityManager, organizationId: string, change: StatusChange): Promise<StatusChangeResult> {
    const current = await this.lockCase(manager, organizationId, change.caseId);
    const target = await this.statuses.findStatus(organizationId, current.statusSet, change.status, manager);
    if (!target) {
      throw new UnprocessableError('UNKNOWN_STATUS', `Status "${change.status}" is not in the case's status set "${current.statusSet}".`, {
        status: change.status,
        statusSet: current.statusSet,
      });
    }
    if (current.status === change.status) {
      return { caseId: current.id, from: current.status, to: current.status, changed: false, version: current.version };
    }
    const from = await this.statuses.findStatus(organizationId, current.statusSet, current.status, manager);
    if (from?.terminal && !change.reopen) {
      throw new ConflictError('CASE_TERMINAL', `Case ${current.id} is in terminal status "${current.status}"; set reopen to leave it.`, {
        status: current.status,
      });
    }
    const version = current.version + 1;
    await manager.update(CaseEntity, { id: current.id, organizationId }, { status: change.status, version });
    await this.recordEvent(manager, organizationId, current.id, change.actor, {
      type: 'status_changed',
      from: current.status,
      to: change.status,
      reason: change.reason ?? null,
    });
    return { caseId: current.id, from: current.status, to: change.status, changed: true, version };
  }

  async recordEvent(
    manager: EntityManager,
    organizationId: string,
    caseId: string,
    actor: Actor,
    event: { type: string; from?: string | null; to?: string | null; reason?: string | null; block?: string | null },
  ): Promise<void> {
    await manager.insert(CaseEventEntity, {
      organizationId,
      caseId,
      type: event.type,
      actor: actor.id,
      source: actor.source,
      from: event.from ?? null,
      to: event.to ?? null,
      reason: event.reason ?? null,
      block: event.block ?? null,
    });
  }

  /** Loads a case of the organization, locked for the rest of the transaction unless `lock` is false. */
  async lockCase(manager: EntityManager, organizationId: string, caseId: string, lock = true): Promise<CaseEntity> {
    if (!isUuid(caseId)) throw new NotFoundError('Case', caseId);
    const found = await manager.findOne(CaseEntity, {
      where: { id: caseId, organizationId },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!found) throw new NotFoundError('Case', caseId);
    return found;
  }

  async findCase(organizationId: string, caseId: string, manager: EntityManager = this.dataSource.manager): Promise<CaseEntity> {
    return this.lockCase(manager, organizationId, caseId, false);
  }

  async view(organizationId: string, caseId: string): Promise<CaseView> {
    const found = await this.findCase(organizationId, caseId);
    const [blocks, status, children] = await Promise.all([
      this.dataSource.manager.find(CaseBlockEntity, { where: { caseId, organizationId }, order: { position: 'ASC' } }),
      this.statuses.findStatus(organizationId, found.statusSet, found.status),
      this.dataSource.manager.find(CaseEntity, {
        where: { parentId: caseId, organizationId },
        select: { id: true, type: true, status: true },
        order: { createdAt: 'ASC' },
      }),
    ]);
    return toCaseView(found, blocks, status?.actions ?? [], children);
  }

  async listEvents(organizationId: string, caseId: string, options: { cursor?: string; limit: number }) {
    await this.findCase(organizationId, caseId);
    const query = this.dataSource.manager
      .createQueryBuilder(CaseEventEntity, 'event')
      .where('event.organization_id = :organizationId AND event.case_id = :caseId', { organizationId, caseId })
      .orderBy('event.id', 'ASC')
      .take(options.limit + 1);
    if (options.cursor) query.andWhere('event.id > :cursor', { cursor: options.cursor });
    const rows = await query.getMany();
    const items = rows.slice(0, options.limit);
    return {
      items: items.map(({ id, at, type, actor, source, from, to, reason, block }) => ({ id, at, type, actor, source, from, to, reason, block })),
      nextCursor: rows.length > options.limit ? items[items.length - 1].id : null,
    };
  }
}
