import type { EntityManager } from 'typeorm';
import type { Actor, Settled } from '@app/common';
import type { SqlScript } from '@app/persistence';

export interface ActionContext {
  organizationId: string;
  /** The run's case; actions may target another case of the organization through their params. */
  caseId: string;
  runId: string;
  stepId: string;
  stepExecutionId: string;
  /** 1-based attempt number of this step execution. */
  attempt: number;
  /** Params with their templates rendered. */
  params: Record<string, unknown>;
  /** Stable across retries and redeliveries of this step execution: send it to external systems. */
  idempotencyKey: string;
  actor: Actor;
  /**
   * For transactional actions, the transaction that also records the step as done, so the effect
   * and the step's completion commit together; otherwise a plain manager outside any transaction.
   */
  manager: EntityManager;
}

/**
 * One workflow action. Implementations are Nest providers marked with @WorkflowActionHandler();
 * the registry finds them at start-up, so adding an action touches no engine file.
 */
export interface WorkflowAction {
  readonly name: string;
  /** JSON Schema of the params, checked when a definition is published. */
  readonly paramsSchema: Record<string, unknown>;
  /** Params whose literal value must be a status of the definition's status set. */
  readonly statusParams?: string[];
  /**
   * True when the action's effect is a database change that must commit with the step's
   * completion. False for external calls, which must never run inside a transaction holding locks.
   */
  readonly transactional: boolean;
  /** Returns the step's output (stored at steps.<id>.output); throws to fail the attempt. */
  execute(context: ActionContext): Promise<unknown>;
  /**
   * Optional, for transactional actions on the hot path: the effects of many steps (of different
   * runs) in one go, inside `manager`'s transaction, each settled on its own (an item's failure
   * must leave no trace of it). Throw only for what fails them all (the database is down).
   * Without it, the executor calls `execute` once per step, each inside a savepoint. Writes may
   * go to `script` instead of being run: the executor sends them with its own, in one round trip.
   */
  executeMany?(manager: EntityManager, contexts: ActionContext[], script?: SqlScript): Promise<Array<Settled<unknown>>>;
}
