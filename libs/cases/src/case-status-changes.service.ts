import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Actor, ConflictError, fulfilled, isUuid, NotFoundError, orgKey, PreconditionFailedError, rejected, Settled, UnprocessableError } from '@app/common';
import { jsonbLiteral, SqlScript, uuidArrayLiteral } from '@app/persistence';
import { auditStatement, NewAuditEvent } from './case-audit.service';
import type { CaseEntity } from './case.entity';

export interface StatusChange {
  caseId: string;
  status: string;
  reason?: string | null;
  /** Allows leaving a terminal status. */
  reopen?: boolean;
  actor: Actor;
  /** The version the caller last saw (If-Match); a different current version refuses the change. */
  expectedVersion?: number;
}

export interface StatusChangeResult {
  caseId: string;
  from: string;
  to: string;
  changed: boolean;
  version: number;
}

export interface OrganizationStatusChange extends StatusChange {
  organizationId: string;
}

interface LockedCase {
  id: string;
  organizationId: string;
  statusSet: string;
  status: string;
  version: number;
  /** Whether each status met is terminal, by key; a key absent is not in the case's set. */
  terminal: Record<string, boolean>;
  changed: boolean;
}

/**
 * Status changes, many at once, inside the caller's transaction: the rules of a status change
 * (a known status of the case's set, no leaving a terminal status without `reopen`, the expected
 * version, one audit event per real change) applied to every change in order, in three
 * round trips however many there are. Each change succeeds or fails on its own.
 */
@Injectable()
export class CaseStatusChangesService {
  /**
   * `script`, when given, receives the writes instead of running them: the caller sends them with
   * its own in one round trip, before anything reads these cases again.
   */
  async applyAll(manager: EntityManager, changes: OrganizationStatusChange[], script?: SqlScript): Promise<Array<Settled<StatusChangeResult>>> {
    const cases = await this.lockCases(manager, changes);
    const events: NewAuditEvent[] = [];
    const results = changes.map((change): Settled<StatusChangeResult> => {
      const current = cases.get(orgKey(change.organizationId, change.caseId));
      if (!current) return rejected(new NotFoundError('Case', change.caseId));
      try {
        assertVersion(current, change.expectedVersion, 'precondition');
      } catch (error) {
        return rejected(error);
      }
      if (!Object.hasOwn(current.terminal, change.status)) {
        return rejected(
          new UnprocessableError('UNKNOWN_STATUS', `Status "${change.status}" is not in the case's status set "${current.statusSet}".`, {
            status: change.status,
            statusSet: current.statusSet,
          }),
        );
      }
      if (current.status === change.status) {
        return fulfilled({ caseId: current.id, from: current.status, to: current.status, changed: false, version: current.version });
      }
      if (current.terminal[current.status] && !change.reopen) {
        return rejected(
          new ConflictError('CASE_TERMINAL', `Case ${current.id} is in terminal status "${current.status}"; set reopen to leave it.`, { status: current.status }),
        );
      }
      const from = current.status;
      Object.assign(current, { status: change.status, version: current.version + 1, changed: true });
      events.push({
        organizationId: current.organizationId,
        caseId: current.id,
        actor: change.actor,
        type: 'status_changed',
        from,
        to: change.status,
        reason: change.reason ?? null,
      });
      return fulfilled({ caseId: current.id, from, to: change.status, changed: true, version: current.version });
    });
    const rows = [...cases.values()].filter((row) => row.changed).map((row) => ({ id: row.id, organization_id: row.organizationId, status: row.status, version: row.version }));
    const writes = new SqlScript()
      .add(
        rows.length === 0
          ? null
          : `UPDATE cases c SET status = u.status, version = u.version, updated_at = now()
             FROM jsonb_to_recordset(${jsonbLiteral(rows)}) AS u(id uuid, organization_id uuid, status text, version integer)
             WHERE c.id = u.id AND c.organization_id = u.organization_id AND c.id = ANY(${uuidArrayLiteral(rows.map((row) => row.id))})`,
      )
      .add(auditStatement(events));
    if (script) script.append(writes);
    else await writes.defer(manager);
    return results;
  }

  /**
   * Locks every case named, in id order (the order every batch locks cases in), and reads with it
   * whether each status met (the targets, and the status the case is in) is terminal.
   * Inlined values, not bound ones: without parameters a statement is one write to the socket.
   */
  private async lockCases(manager: EntityManager, changes: OrganizationStatusChange[]): Promise<Map<string, LockedCase>> {
    const named = changes.filter((change) => isUuid(change.caseId));
    if (named.length === 0) return new Map();
    const keys = jsonbLiteral(named.map((change) => ({ id: change.caseId, organization_id: change.organizationId, status: change.status })));
    const rows: Array<{ id: string; organization_id: string; status_set: string; status: string; version: number; terminal: Record<string, boolean> | null }> =
      await manager.query(
        `WITH k AS (SELECT * FROM jsonb_to_recordset(${keys}) AS k(id uuid, organization_id uuid, status text)),
         locked AS (
           SELECT c.id, c.organization_id, c.status_set, c.status, c.version FROM cases c
           WHERE c.id = ANY(${uuidArrayLiteral(named.map((change) => change.caseId))})
             AND (c.id, c.organization_id) IN (SELECT k.id, k.organization_id FROM k)
           ORDER BY c.id
           FOR UPDATE
         )
         SELECT l.*, (
           SELECT jsonb_object_agg(s.key, s.terminal) FROM statuses s
           WHERE s.organization_id = l.organization_id AND s.set_key = l.status_set
             AND (s.key = l.status OR s.key IN (SELECT k.status FROM k WHERE k.id = l.id))
         ) AS terminal
         FROM locked l`,
      );
    return new Map(
      rows.map((row) => [
        orgKey(row.organization_id, row.id),
        { id: row.id, organizationId: row.organization_id, statusSet: row.status_set, status: row.status, version: row.version, terminal: row.terminal ?? {}, changed: false },
      ]),
    );
  }
}

/**
 * Optimistic concurrency: `If-Match` on a pipeline update is a precondition (412); a reviewer's
 * stale version is a conflict with what another reviewer did (409).
 */
export function assertVersion(current: Pick<CaseEntity, 'id' | 'version'>, expected: number | undefined, kind: 'precondition' | 'conflict'): void {
  if (expected === undefined || expected === current.version) return;
  const message = `Case ${current.id} is at version ${current.version}, not ${expected}: reload it and try again.`;
  const details = { expectedVersion: expected, currentVersion: current.version };
  if (kind === 'precondition') throw new PreconditionFailedError('VERSION_MISMATCH', message, details);
  throw new ConflictError('VERSION_CONFLICT', message, details);
}
