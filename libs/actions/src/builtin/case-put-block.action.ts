import { Injectable } from '@nestjs/common';
import { BLOCK_STATUSES, BLOCK_TYPES, BlockInput, CaseBlocksService } from '@app/cases';
import { WorkflowActionHandler } from '../workflow-action.decorator';
import type { ActionContext, WorkflowAction } from '../workflow-action.interface';

/** Adds or replaces a block, e.g. `registry_data` from a step's output (`"data": "{{ steps.registry.output }}"`). */
@Injectable()
@WorkflowActionHandler()
export class CasePutBlockAction implements WorkflowAction {
  readonly name = 'case.putBlock';
  readonly transactional = true;
  readonly paramsSchema = {
    type: 'object',
    required: ['key', 'type', 'title'],
    additionalProperties: false,
    properties: {
      key: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,100}$' },
      type: { enum: [...BLOCK_TYPES] },
      title: { type: 'string', minLength: 1, maxLength: 200 },
      data: { description: 'Any JSON; usually a template such as "{{ steps.registry.output }}".' },
      status: { enum: [...BLOCK_STATUSES, null] },
      case: { type: 'string', description: "Target case id; defaults to the run's case." },
    },
  };

  constructor(private readonly blocks: CaseBlocksService) {}

  async execute(context: ActionContext) {
    const params = context.params as unknown as BlockInput & { case?: string };
    const caseId = params.case ?? context.caseId;
    const { created } = await this.blocks.put(
      context.manager,
      context.organizationId,
      caseId,
      { key: params.key, type: params.type, title: params.title, data: params.data, status: params.status ?? null },
      context.actor,
    );
    return { caseId, block: params.key, created };
  }
}
