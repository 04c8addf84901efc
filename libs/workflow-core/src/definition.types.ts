/** The JSON workflow definition format (SPEC §2). Field names are part of the public contract. */

export type JsonLogic = Record<string, unknown> | boolean;

export interface RetryPolicy {
  /** Total attempts including the first one; 1 means no retry. */
  maxAttempts?: number;
  backoff?: { type: 'fixed' | 'exponential'; delayMs: number };
}

export interface StepDefinition {
  id: string;
  action: string;
  params?: Record<string, unknown>;
  retry?: RetryPolicy;
  continueOnError?: boolean;
}

export interface GuardedTarget {
  target: string;
  guard?: JsonLogic;
}

export type TransitionDefinition = string | GuardedTarget | GuardedTarget[];

export interface StateDefinition {
  type?: 'final';
  steps?: StepDefinition[];
  /** Taken once the last step has finished. */
  next?: string;
  /** Taken when a step fails its last attempt without continueOnError. */
  onError?: string;
  on?: Record<string, TransitionDefinition>;
}

export interface WorkflowDefinition {
  /** Lets editors find the JSON Schema; ignored by the engine. */
  $schema?: string;
  key: string;
  name: string;
  description?: string;
  caseType?: string;
  statusSet?: string;
  initial: string;
  states: Record<string, StateDefinition>;
}

/** A problem found in a definition: `path` is a JSON pointer into it. */
export interface DefinitionProblem {
  path: string;
  message: string;
}
