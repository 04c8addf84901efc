import type { RetryPolicy } from './definition.types';

/** What the validator knows of an action: its params JSON Schema and which params name a status. */
export interface ActionDescriptor {
  name: string;
  paramsSchema: Record<string, unknown>;
  /** Params whose literal value must be a status of the definition's status set. */
  statusParams?: string[];
}

export interface ValidationOptions {
  actions: ReadonlyMap<string, ActionDescriptor>;
  /** status set key -> status keys; when given, status params are checked against the named set. */
  statusSets?: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface StepError {
  code: string;
  message: string;
}

export interface StepRecord {
  output?: unknown;
  error?: StepError;
}

/** The run's workflow context: persisted with the snapshot, read by guards and templates. */
export interface RunContext {
  steps: Record<string, StepRecord>;
  /** Values saved by steps with `saveAs`. */
  vars: Record<string, unknown>;
  /** The last event the run accepted (the one that entered its state); templates read it as `event`. */
  event?: { type: string; payload: unknown };
}

/** JSON-safe snapshot of a run's machine, as stored in PostgreSQL. */
export interface PersistedRunSnapshot {
  value: unknown;
  context: RunContext;
}

export type RunStatus = 'running' | 'waiting' | 'completed' | 'failed';

/** A step the runtime must execute next (one BullMQ job per execution). */
export interface ScheduledStep {
  state: string;
  stepIndex: number;
  stepId: string;
  action: string;
  /** Raw params; templates are rendered when the step executes. */
  params: Record<string, unknown>;
  retry: Required<Pick<RetryPolicy, 'maxAttempts'>> & Pick<RetryPolicy, 'backoff'>;
  continueOnError: boolean;
}

/** Read-only data guards see besides the run context: `{ case, run, steps, event }`. */
export interface GuardScope {
  case?: unknown;
  run?: unknown;
}

export type EngineEvent =
  | { type: 'caseflow.step.succeeded'; stepId: string; output?: unknown; saveAs?: string }
  | { type: 'caseflow.step.failed'; stepId: string; error: StepError }
  | { type: 'caseflow.run.retry' }
  | { type: string; payload?: unknown };

export interface TransitionResult {
  /** False when the current state does not accept the event (nothing changed). */
  accepted: boolean;
  snapshot: PersistedRunSnapshot;
  /** The definition state the run is in after the transition. */
  state: string;
  status: RunStatus;
  /** Definition states entered by this transition, in order (a re-entered state counts again). */
  statesEntered: string[];
  stepsToSchedule: ScheduledStep[];
  /** Set when the run became failed: the step that failed and its error. */
  failure?: { stepId: string; error: StepError };
  /**
   * Set when an event moved the run on while a step was still pending (scheduled, no result yet):
   * that step's result will be refused as stale, and the runtime records it as skipped.
   */
  interruptedStep?: { state: string; stepIndex: number; stepId: string };
}

/** Where a stored snapshot is: its definition state, derived status, and current step if any. */
export interface RunPosition {
  state: string;
  status: RunStatus;
  /** The pending step (status running) or the failed step (status failed). */
  stepIndex?: number;
}
