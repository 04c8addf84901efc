import { SetMetadata } from '@nestjs/common';

export const WORKFLOW_ACTION = Symbol('caseflow:workflow-action');

/** Marks a provider as a workflow action; the ActionRegistry discovers it at start-up. */
export const WorkflowActionHandler = (): ClassDecorator => SetMetadata(WORKFLOW_ACTION, true);
