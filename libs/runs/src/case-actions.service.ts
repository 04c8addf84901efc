import { Injectable } from '@nestjs/common';
import { Actor } from '@app/common';
import { CASE_ACTION_EVENTS, CaseDecision, CaseDecisionsService, CaseDetail, CasesService } from '@app/cases';
import type { CaseAction } from '@app/statuses';
import { RunTransaction } from './run-transaction.service';
import { RunsService } from './runs.service';

export interface CaseActionResult {
  case: CaseDetail;
  decision: CaseDecision;
  /** The event sent to the case's active run, and whether its state took it; null without a run. */
  run: { id: string; event: string; accepted: boolean } | null;
}

/**
 * A reviewer's case action (approve, reject, request_reuploads): the case changes and its active
 * run receives the matching event in the same transaction. The action stands even when the run's
 * state does not take the event; the run's timeline records it as not accepted.
 */
@Injectable()
export class CaseActionsService {
  constructor(
    private readonly transaction: RunTransaction,
    private readonly cases: CasesService,
    private readonly decisions: CaseDecisionsService,
    private readonly runs: RunsService,
  ) {}

  async perform(
    organizationId: string,
    caseId: string,
    action: CaseAction,
    options: { reason?: string | null; expectedVersion?: number },
    actor: Actor,
  ): Promise<CaseActionResult> {
    await this.cases.findCase(organizationId, caseId);
    const { decision, run } = await this.transaction.run(async (manager, outbox) => {
      // The run's lock is taken before the case's, in the order step executions take them.
      const activeRun = await this.runs.lockActiveRun(manager, organizationId, caseId);
      const decided = await this.decisions.decide(manager, organizationId, caseId, action, options, actor);
      if (!activeRun) return { decision: decided, run: null };
      const event = CASE_ACTION_EVENTS[action];
      const payload = { reason: options.reason ?? null, by: actor.id, ...(decided.reuploadsRequested === undefined ? {} : { reuploadsRequested: decided.reuploadsRequested }) };
      const outcome = await this.runs.applyEventLocked(manager, outbox, activeRun, { type: event, payload }, actor);
      return { decision: decided, run: { id: activeRun.id, event, accepted: outcome.accepted } };
    });
    return { case: await this.cases.detail(organizationId, caseId), decision, run };
  }
}
