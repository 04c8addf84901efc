import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor } from '@app/common';
import { jsonbLiteral, runScript } from '@app/persistence';
import { CaseEventEntity } from './case-event.entity';

export interface AuditEntry {
  type: string;
  from?: string | null;
  to?: string | null;
  reason?: string | null;
  block?: string | null;
}

export interface NewAuditEvent extends AuditEntry {
  organizationId: string;
  caseId: string;
  actor: Actor;
}

/** The append-only audit trail of cases: every change writes one entry in its own transaction. */
@Injectable()
export class CaseAuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, organizationId: string, caseId: string, actor: Actor, entry: AuditEntry): Promise<void> {
    await runScript(manager, [auditStatement([{ organizationId, caseId, actor, ...entry }])]);
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

/** The INSERT of audit entries, in the order given, as one statement with its values inlined. */
export function auditStatement(entries: NewAuditEvent[]): string | null {
  if (entries.length === 0) return null;
  const rows = entries.map((entry) => ({
    organization_id: entry.organizationId,
    case_id: entry.caseId,
    type: entry.type,
    actor: entry.actor.id,
    source: entry.actor.source,
    from_value: entry.from ?? null,
    to_value: entry.to ?? null,
    reason: entry.reason ?? null,
    block: entry.block ?? null,
  }));
  return `INSERT INTO case_events (organization_id, case_id, type, actor, source, from_value, to_value, reason, block)
    SELECT u.organization_id, u.case_id, u.type, u.actor, u.source, u.from_value, u.to_value, u.reason, u.block
    FROM ROWS FROM (jsonb_to_recordset(${jsonbLiteral(rows)}) AS (organization_id uuid, case_id uuid, type text, actor text, source text, from_value text, to_value text, reason text, block text))
      WITH ORDINALITY AS u(organization_id, case_id, type, actor, source, from_value, to_value, reason, block, n)
    ORDER BY u.n`;
}
