import { Injectable } from '@nestjs/common';
import { CasesService } from '@app/cases';
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

  constructor(private readonly cases: CasesService) {}

  async execute(context: ActionContext) {
    const params = context.params as unknown as UpdateStatusParams;
    const result = await this.cases.changeStatus(context.manager, context.organizationId, {
      caseId: params.case ?? context.caseId,
      status: params.status,
      reason: params.reason ?? null,
      reopen: params.reopen === true,
      actor: context.actor,
    });
    return { caseId: result.caseId, from: result.from, to: result.to, changed: result.changed };
  }
}
