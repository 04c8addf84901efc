import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { fulfilled, Settled } from '@app/common';
import type { SqlScript } from '@app/persistence';
import { CaseStatusChangesService } from '@app/cases';
import { WorkflowActionHandler } from '../workflow-action.decorator';
import type { ActionContext, WorkflowAction } from '../workflow-action.interface';

interface UpdateStatusParams {
  status: string;
  case?: string;
  reason?: string;
  reopen?: boolean;
}

/** The flagship action: sets a case's status in the transaction that records the step as done. */
@Injectable()
@WorkflowActionHandler()
export class CaseUpdateStatusAction implements WorkflowAction {
  readonly name = 'case.updateStatus';
  readonly transactional = true;
  readonly statusParams = ['status'];
  readonly paramsSchema = {
    type: 'object',
    required: ['status'],
    additionalProperties: false,
    properties: {
      status: { type: 'string', minLength: 1, maxLength: 100 },
      case: { type: 'string', description: 'Target case id; defaults to the run\'s case. May be a template.' },
      reason: { type: 'string', maxLength: 2000 },
      reopen: { type: 'boolean', description: 'Allow leaving a terminal status.' },
    },
  };

  constructor(private readonly statusChanges: CaseStatusChangesService) {}

  async execute(context: ActionContext) {
    const [result] = await this.executeMany(context.manager, [context]);
    if (!result.ok) throw result.error;
    return result.value;
  }

  /** Many steps' status changes with a handful of statements: the path most steps take. */
  async executeMany(manager: EntityManager, contexts: ActionContext[], script?: SqlScript): Promise<Array<Settled<unknown>>> {
    const results = await this.statusChanges.applyAll(
      manager,
      contexts.map((context) => {
        const params = context.params as unknown as UpdateStatusParams;
        return {
          organizationId: context.organizationId,
          caseId: params.case ?? context.caseId,
          status: params.status,
          reason: params.reason ?? null,
          reopen: params.reopen === true,
          actor: context.actor,
        };
      }),
      script,
    );
    return results.map((result) => (result.ok ? fulfilled({ caseId: result.value.caseId, from: result.value.from, to: result.value.to, changed: result.value.changed }) : result));
  }
}
