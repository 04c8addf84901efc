import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Actor, ConflictError } from '@app/common';
import { CaseAction, StatusesService } from '@app/statuses';
import { CaseAuditService } from './case-audit.service';
import { CaseBlocksService } from './case-blocks.service';
import { assertVersion } from './case-status-changes.service';
import { CasesService } from './cases.service';

/** The event each case action sends to the case's active run, so the workflow does the follow-up. */
export const CASE_ACTION_EVENTS: Record<CaseAction, string> = {
  approve: 'CASE_APPROVED',
  reject: 'CASE_REJECTED',
  request_reuploads: 'REUPLOADS_REQUESTED',
};

const AUDIT_TYPES: Record<CaseAction, string> = {
  approve: 'case_approved',
  reject: 'case_rejected',
  request_reuploads: 'reuploads_requested',
};

export interface CaseDecision {
  caseId: string;
  action: CaseAction;
  from: string;
  to: string;
  /** For request_reuploads: how many flagged blocks are now awaited again. */
  reuploadsRequested?: number;
}

/**
 * A reviewer's decision on a case. The current status says which actions are allowed and the
 * status set says where each leads. Under the case's row lock, of two reviewers deciding at once
 * the second finds the status changed and is refused.
 */
@Injectable()
export class CaseDecisionsService {
  constructor(
    private readonly cases: CasesService,
    private readonly blocks: CaseBlocksService,
    private readonly statuses: StatusesService,
    private readonly audit: CaseAuditService,
  ) {}

  async decide(
    manager: EntityManager,
    organizationId: string,
    caseId: string,
    action: CaseAction,
    options: { reason?: string | null; expectedVersion?: number },
    actor: Actor,
  ): Promise<CaseDecision> {
    const current = await this.cases.lockCase(manager, organizationId, caseId);
    assertVersion(current, options.expectedVersion, 'conflict');
    const status = await this.statuses.findStatus(organizationId, current.statusSet, current.status, manager);
    const available = status?.actions ?? [];
    if (!available.includes(action)) {
      throw new ConflictError('ACTION_NOT_AVAILABLE', `"${action}" is not available while the case is "${current.status}".`, {
        status: current.status,
        availableActions: available,
      });
    }
    const set = await this.statuses.findSet(organizationId, current.statusSet, manager);
    const target = set?.actionTargets[action];
    if (!target) {
      throw new ConflictError('ACTION_HAS_NO_TARGET', `Status set "${current.statusSet}" does not say where "${action}" leads.`, { statusSet: current.statusSet });
    }
    const reuploadsRequested = action === 'request_reuploads' ? await this.blocks.requestReuploads(manager, organizationId, caseId, actor) : undefined;
    const from = current.status;
    await this.cases.touch(manager, current, { status: target });
    await this.audit.record(manager, organizationId, caseId, actor, { type: AUDIT_TYPES[action], from, to: target, reason: options.reason ?? null });
    return { caseId, action, from, to: target, ...(reuploadsRequested === undefined ? {} : { reuploadsRequested }) };
  }
}
