import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor } from '@app/common';
import { CaseEventEntity } from './case-event.entity';

export interface AuditEntry {
  type: string;
  from?: string | null;
  to?: string | null;
  reason?: string | null;
  block?: string | null;
}

/** The append-only audit trail of cases: every change writes one entry in its own transaction. */
@Injectable()
export class CaseAuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, organizationId: string, caseId: string, actor: Actor, entry: AuditEntry): Promise<void> {
    await manager.insert(CaseEventEntity, {
      organizationId,
      caseId,
      type: entry.type,
      actor: actor.id,
      source: actor.source,
      from: entry.from ?? null,
      to: entry.to ?? null,
      reason: entry.reason ?? null,
      block: entry.block ?? null,
    });
  }

  /** Oldest first, keyset-paged by the entry id; the caller has checked the case is the organization's. */
  async list(organizationId: string, caseId: string, options: { cursor?: string; limit: number }) {
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
