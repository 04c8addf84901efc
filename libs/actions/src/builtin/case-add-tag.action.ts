import { Injectable } from '@nestjs/common';
import { CasesService } from '@app/cases';
import { WorkflowActionHandler } from '../workflow-action.decorator';
import type { ActionContext, WorkflowAction } from '../workflow-action.interface';

const TAG = { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' };

/** Tags the case (`tag` or several `tags`); a tag it already has is left as it is. */
@Injectable()
@WorkflowActionHandler()
export class CaseAddTagAction implements WorkflowAction {
  readonly name = 'case.addTag';
  readonly transactional = true;
  readonly paramsSchema = {
    type: 'object',
    additionalProperties: false,
    oneOf: [{ required: ['tag'] }, { required: ['tags'] }],
    properties: {
      tag: TAG,
      tags: { type: 'array', items: TAG, minItems: 1, maxItems: 50 },
      case: { type: 'string', description: "Target case id; defaults to the run's case." },
    },
  };

  constructor(private readonly cases: CasesService) {}

  async execute(context: ActionContext) {
    const params = context.params as { tag?: string; tags?: string[]; case?: string };
    const add = params.tags ?? (params.tag ? [params.tag] : []);
    const target = await this.cases.changeTags(context.manager, context.organizationId, params.case ?? context.caseId, { add }, context.actor);
    return { caseId: target.id, tags: target.tags };
  }
}
