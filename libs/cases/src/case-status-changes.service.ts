import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Actor, ConflictError, fulfilled, isUuid, NotFoundError, PreconditionFailedError, rejected, Settled, UnprocessableError } from '@app/common';
import { jsonbLiteral, runScript } from '@app/persistence';
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
  async applyAll(manager: EntityManager, changes: OrganizationStatusChange[]): Promise<Array<Settled<StatusChangeResult>>> {
    const cases = await this.lockCases(manager, changes);
    const terminal = await this.statuses(manager, changes, cases);
    const events: NewAuditEvent[] = [];
    const results = changes.map((change): Settled<StatusChangeResult> => {
      const current = cases.get(caseKey(change.organizationId, change.caseId));
      if (!current) return rejected(new NotFoundError('Case', change.caseId));
      try {
        assertVersion(current, change.expectedVersion, 'precondition');
      } catch (error) {
        return rejected(error);
      }
      const setKey = (key: string) => statusKey(current.organizationId, current.statusSet, key);
      if (!terminal.has(setKey(change.status))) {
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
      if (terminal.get(setKey(current.status)) && !change.reopen) {
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
    const changed = [...cases.values()].filter((row) => row.changed);
    const rows = changed.map((row) => ({ id: row.id, organization_id: row.organizationId, status: row.status, version: row.version }));
    await runScript(manager, [
      rows.length === 0
        ? null
        : `UPDATE cases c SET status = u.status, version = u.version, updated_at = now()
           FROM jsonb_to_recordset(${jsonbLiteral(rows)}) AS u(id uuid, organization_id uuid, status text, version integer)
           WHERE c.id = u.id AND c.organization_id = u.organization_id`,
      auditStatement(events),
    ]);
    return results;
  }

  /** Locks every case named, in id order (the order every batch locks cases in). */
  private async lockCases(manager: EntityManager, changes: OrganizationStatusChange[]): Promise<Map<string, LockedCase>> {
    const named = changes.filter((change) => isUuid(change.caseId));
    if (named.length === 0) return new Map();
    const rows: Array<{ id: string; organization_id: string; status_set: string; status: string; version: number }> = await manager.query(
      `SELECT c.id, c.organization_id, c.status_set, c.status, c.version FROM cases c
       WHERE (c.id, c.organization_id) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[]))
       ORDER BY c.id
       FOR UPDATE`,
      [named.map((change) => change.caseId), named.map((change) => change.organizationId)],
    );
    return new Map(
      rows.map((row) => [
        caseKey(row.organization_id, row.id),
        { id: row.id, organizationId: row.organization_id, statusSet: row.status_set, status: row.status, version: row.version, changed: false },
      ]),
    );
  }

  /** Whether each status met (targets, and the statuses the cases are in) is terminal; absent when unknown. */
  private async statuses(manager: EntityManager, changes: OrganizationStatusChange[], cases: Map<string, LockedCase>): Promise<Map<string, boolean>> {
    const wanted = new Map<string, [string, string, string]>();
    for (const change of changes) {
      const current = cases.get(caseKey(change.organizationId, change.caseId));
      if (!current) continue;
      for (const key of [change.status, current.status]) wanted.set(statusKey(current.organizationId, current.statusSet, key), [current.organizationId, current.statusSet, key]);
    }
    if (wanted.size === 0) return new Map();
    const keys = [...wanted.values()];
    const rows: Array<{ organization_id: string; set_key: string; key: string; terminal: boolean }> = await manager.query(
      `SELECT organization_id, set_key, key, terminal FROM statuses
       WHERE (organization_id, set_key, key) IN (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]))`,
      [keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2])],
    );
    return new Map(rows.map((row) => [statusKey(row.organization_id, row.set_key, row.key), row.terminal]));
  }
}

const caseKey = (organizationId: string, caseId: string) => `${organizationId}/${caseId}`;
const statusKey = (organizationId: string, setKey: string, key: string) => JSON.stringify([organizationId, setKey, key]);

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
