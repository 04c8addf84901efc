import { Injectable } from '@nestjs/common';
import { CasesService } from '@app/cases';
import { WorkflowActionHandler } from '../workflow-action.decorator';
import type { ActionContext, WorkflowAction } from '../workflow-action.interface';

/** Assigns the case to a reviewer (`assignee`) or a queue (`queue`, stored as `queue:<name>`). */
@Injectable()
@WorkflowActionHandler()
export class CaseAssignAction implements WorkflowAction {
  readonly name = 'case.assign';
  readonly transactional = true;
  readonly paramsSchema = {
    type: 'object',
    additionalProperties: false,
    oneOf: [{ required: ['assignee'] }, { required: ['queue'] }],
    properties: {
      assignee: { type: ['string', 'null'], maxLength: 200 },
      queue: { type: 'string', minLength: 1, maxLength: 200 },
      case: { type: 'string', description: "Target case id; defaults to the run's case." },
    },
  };

  constructor(private readonly cases: CasesService) {}

  async execute(context: ActionContext) {
    const params = context.params as { assignee?: string | null; queue?: string; case?: string };
    const assignee = params.queue !== undefined ? `queue:${params.queue}` : (params.assignee ?? null);
    const target = await this.cases.assign(context.manager, context.organizationId, params.case ?? context.caseId, assignee, context.actor);
    return { caseId: target.id, assignee };
  }
}
