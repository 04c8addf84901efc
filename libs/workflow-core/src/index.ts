// The public face of @app/workflow-core: import from '@app/workflow-core', never from a deep path.
export * from './definition.types';
export * from './engine.types';
export { workflowDefinitionSchema } from './workflow-definition.schema';
export { validateDefinition } from './validate-definition.util';
export { paramsSchemaProblems } from './schema-problems.util';
export { evaluateGuard, guardProblems } from './guard.util';
export {
  renderTemplates,
  templatePaths,
  type TemplateScope,
  type TemplateLocation,
} from './template.util';
export {
  compileWorkflow,
  STEP_SUCCEEDED,
  STEP_FAILED,
  RUN_RETRY,
  type CompiledWorkflow,
  type WorkflowMachine,
} from './compile-workflow.util';
export { startRun, applyEvent, acceptedEvents } from './run-transition.util';
