import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SqlScript } from '@app/persistence';
import { CaseflowConfig, fulfilled, GroupCommit, isInfrastructureError, rejected, Settled, UnprocessableError } from '@app/common';
import { ActionContext, ActionRegistry, WorkflowAction } from '@app/actions';
import { CaseEntity, CasesService } from '@app/cases';
import { WorkflowsService } from '@app/workflows';
import { applyEvent, CompiledWorkflow, paramsSchemaProblems, renderTemplates, STEP_FAILED, STEP_SUCCEEDED, StepDefinition, StepError, templatePaths } from '@app/workflow-core';
import { QueueOutbox } from './queue-outbox';
import { templateScope } from './run-scope.util';
import { RunTransaction } from './run-transaction.service';
import { LockedStep, StepBatchRepository, StepUpdate } from './step-batch.repository';
import { isPermanentError, RetryableStepError, toStepError } from './step-error.util';
import { planTransition, TransitionPlan } from './transition-plan';

export interface StepAttempt {
  stepExecutionId: string;
  /** 1-based attempt number as the queue counts it. */
  attempt: number;
  /** Attempts the queue will make in all. */
  maxAttempts: number;
}

/** noop: another delivery finished the step already; skipped: the run had left the step's state. */
export type StepOutcome = 'succeeded' | 'failed' | 'skipped' | 'noop';

/** What a batch decided for one attempt. */
type Decision =
  | { kind: 'done'; outcome: StepOutcome }
  | { kind: 'retry'; error: StepError }
  /** A non-transactional action: claimed; call it outside any transaction, then bring the result back. */
  | { kind: 'call'; action: WorkflowAction; context: Omit<ActionContext, 'manager'>; saveAs?: string };

interface BatchItem {
  attempt: StepAttempt;
  /** The result of a non-transactional action, already called: only to be recorded. */
  result?: Settled<unknown>;
  /** Where its params asked the output to be kept (`saveAs`), with that result. */
  saveAs?: string;
}

/** A step of the batch that is the one its run waits on. */
interface Current {
  index: number;
  step: LockedStep;
  attempt: StepAttempt;
  compiled: CompiledWorkflow;
  saveAs?: string;
}

/** What a batch works with, besides its transaction. */
interface BatchDependencies {
  steps: StepBatchRepository;
  cases: CasesService;
  workflows: WorkflowsService;
  actions: ActionRegistry;
  env: Record<string, string>;
  logger: Logger;
}

/**
 * Batches in progress at once, each on one connection: while one waits on PostgreSQL the others
 * gather and decide. A batch takes at most its share of the worker's concurrency and waits at most
 * 2 ms for it to come in. The worker cannot tell a quiet queue from jobs still on their way from
 * Redis; it takes light traffic (no batch running, the last one a single step) for quiet, and
 * lets a step go at once then.
 */
const BATCH = { name: 'steps', maxFlushes: 3, maxWaitMs: 2 };
/** A batch that lost a deadlock or a serialization race is tried again at once, this many times. */
const RACE_RETRIES = 3;

/**
 * Executes step attempts (the worker's single use-case) by group commit: the attempts of many
 * concurrent jobs are decided together, and one transaction applies all their database effects,
 * finishes their steps, advances their runs and records their next steps; the next jobs are
 * enqueued, in one call, after commit. Every step still gets its own record, snapshot and audit
 * event; only the round trips and the commits are shared.
 *
 * A step already finished is left alone, so a redelivered job has no second effect; a step whose
 * state the run has left is skipped, not executed. Errors come in three kinds: the action's own
 * (retried per the step's policy, then handed to the engine), permanent ones (a domain refusal:
 * handed to the engine at once), and infrastructure ones (database or network down: thrown to the
 * queue without touching the step, to come back). One step's failure never fails the others.
 */
@Injectable()
export class StepExecutorService {
  private readonly logger = new Logger(StepExecutorService.name);
  private readonly deps: BatchDependencies;
  private readonly batches: GroupCommit<BatchItem, Decision>;
  /** Attempts waiting on an external call: they will not join a batch soon. */
  private calling = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transaction: RunTransaction,
    steps: StepBatchRepository,
    cases: CasesService,
    workflows: WorkflowsService,
    actions: ActionRegistry,
    config: CaseflowConfig,
  ) {
    const env = Object.fromEntries(config.CASEFLOW_ENV_ALLOW.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name] as string]));
    this.deps = { steps, cases, workflows, actions, env, logger: this.logger };
    const concurrency = config.WORKER_CONCURRENCY;
    this.batches = new GroupCommit({ ...BATCH, maxBatch: Math.ceil(concurrency / BATCH.maxFlushes), expected: () => concurrency - this.calling }, (items) =>
      this.flush(items),
    );
  }

  async execute(attempt: StepAttempt): Promise<StepOutcome> {
    let decision = await this.batches.submit({ attempt });
    if (decision.kind === 'call') {
      this.calling++;
      const result = await this.call(decision.action, decision.context).finally(() => this.calling--);
      try {
        decision = await this.batches.submit({ attempt, result, saveAs: decision.saveAs });
      } catch (error) {
        if (!result.ok) throw error;
        // The effect happened: never report the step failed for a bookkeeping error. The queue
        // retries the attempt; the action is called again with the same idempotency key.
        throw Object.assign(new Error(`Recording step ${attempt.stepExecutionId} failed after its action succeeded: ${(error as Error).message}`), {
          cause: error,
          infrastructure: true,
        });
      }
    }
    if (decision.kind === 'retry') throw new RetryableStepError(decision.error);
    if (decision.kind === 'call') throw new Error(`Step ${attempt.stepExecutionId} asked for its action twice.`);
    return decision.outcome;
  }

  /** An external call, outside any transaction: never holds a lock while a provider answers. */
  private async call(action: WorkflowAction, context: Omit<ActionContext, 'manager'>): Promise<Settled<unknown>> {
    try {
      return fulfilled(await action.execute({ ...context, manager: this.dataSource.manager }));
    } catch (error) {
      if (isInfrastructureError(error)) throw error;
      return rejected(error);
    }
  }

  /**
   * One batch. Lost races are tried again; an error that is not the platform's, thrown by a
   * statement shared by several steps (one step's output PostgreSQL refuses, say), sends each step
   * through on its own, so only the culprit fails, as its own attempt's failure.
   */
  private async flush(items: BatchItem[]): Promise<Array<Settled<Decision>>> {
    try {
      return await this.withRaceRetries(() => this.runBatch(items));
    } catch (error) {
      if (isInfrastructureError(error) && !isRace(error)) throw error;
      if (items.length > 1) {
        const results: Array<Settled<Decision>> = [];
        for (const item of items) results.push(...(await this.flush([item])));
        return results;
      }
      if (items[0].result && !items[0].result.ok) throw error;
      this.logger.warn(`Step ${items[0].attempt.stepExecutionId} could not be recorded, recording the failure: ${(error as Error).message}`);
      return this.withRaceRetries(() => this.runBatch([{ ...items[0], result: rejected(error) }]));
    }
  }

  private async withRaceRetries<T>(work: () => Promise<T>): Promise<T> {
    for (let retry = 0; ; retry++) {
      try {
        return await work();
      } catch (error) {
        if (!isRace(error) || retry >= RACE_RETRIES) throw error;
      }
    }
  }

  private runBatch(items: BatchItem[]): Promise<Array<Settled<Decision>>> {
    return this.transaction.run((manager, outbox) => new StepBatch(this.deps, manager, outbox, items).decide());
  }
}

/** Decides one batch and writes it, inside its transaction. */
class StepBatch {
  private readonly results: Array<Settled<Decision> | undefined>;
  private readonly updates: StepUpdate[] = [];
  private readonly plans: TransitionPlan[] = [];
  /** Effects' writes, sent with the batch's own unless a later effect may read what they change. */
  private effects = new SqlScript();

  constructor(
    private readonly deps: BatchDependencies,
    private readonly manager: EntityManager,
    private readonly outbox: QueueOutbox,
    private readonly items: BatchItem[],
  ) {
    this.results = new Array(items.length);
  }

  async decide(): Promise<Array<Settled<Decision>>> {
    // A step delivered twice in one batch is done once; the second delivery is a no-op.
    const first = new Map<string, number>();
    this.items.forEach((item, i) => {
      if (first.has(item.attempt.stepExecutionId)) this.done(i, 'noop');
      else first.set(item.attempt.stepExecutionId, i);
    });
    const locked = await this.deps.steps.lockSteps(this.manager, [...first.keys()]);
    const lockedIds = new Set(locked.map((step) => step.id));
    for (const [id, i] of first) if (!lockedIds.has(id)) this.done(i, 'noop');

    const effects = new Map<WorkflowAction, Array<{ current: Current; context: ActionContext }>>();
    for (const step of locked) {
      const index = first.get(step.id) as number;
      const item = this.items[index];
      if (step.run.currentStepExecutionId !== step.id || step.run.status !== 'running') {
        // An event moved the run on while this step waited (in the queue or in a retry backoff).
        this.record(step, { status: 'skipped', attempts: step.attempts });
        this.done(index, 'skipped');
        continue;
      }
      const version = await this.deps.workflows.versionById(step.run.workflowVersionId, this.manager);
      const current: Current = { index, step, attempt: item.attempt, compiled: this.deps.workflows.compiled(version), saveAs: item.saveAs };
      if (item.result) {
        this.settle(current, item.result);
        continue;
      }
      const definition = version.definition.states[step.state]?.steps?.[step.stepIndex];
      const action = this.deps.actions.get(step.action);
      if (!definition) {
        this.fail(current, { code: 'UNKNOWN_STEP', message: `Step ${step.stepId} is not in ${version.key}@${version.version}.` });
        continue;
      }
      if (!action) {
        this.fail(current, { code: 'UNKNOWN_ACTION', message: `No action "${step.action}" is registered in this worker.` });
        continue;
      }
      let context: ActionContext;
      try {
        context = await this.context(current, definition);
      } catch (error) {
        if (isInfrastructureError(error)) throw error;
        this.settle(current, rejected(error));
        continue;
      }
      if (!action.transactional) {
        this.record(step, { status: 'running', attempts: item.attempt.attempt });
        const { manager: _inTransaction, ...outside } = context;
        this.results[index] = fulfilled({ kind: 'call', action, context: outside, saveAs: current.saveAs });
        continue;
      }
      const list = effects.get(action) ?? [];
      list.push({ current, context });
      effects.set(action, list);
    }
    await this.applyEffects(effects);

    const { removedStepIds } = await this.deps.steps.write(this.manager, { updates: this.updates, plans: this.plans }, this.effects);
    this.outbox.toRemove.push(...removedStepIds);
    this.outbox.toEnqueue.push(...this.plans.flatMap((plan) => plan.jobs));
    return this.results.map((result) => result ?? rejected(new Error('The batch reached no decision for this step.')));
  }

  /**
   * Transactional effects, in the batch's transaction. Actions that take many steps at once get
   * them in one call, after the others, which run one by one, each in a savepoint so that a
   * failure leaves no trace of it.
   */
  private async applyEffects(effects: Map<WorkflowAction, Array<{ current: Current; context: ActionContext }>>): Promise<void> {
    const ordered = [...effects].sort(([a], [b]) => Number(Boolean(a.executeMany)) - Number(Boolean(b.executeMany)));
    for (const [action, entries] of ordered) {
      if (!this.effects.isEmpty) {
        await this.effects.defer(this.manager);
        this.effects = new SqlScript();
      }
      if (action.executeMany) {
        const results = await action.executeMany(
          this.manager,
          entries.map((entry) => entry.context),
          this.effects,
        );
        entries.forEach((entry, i) => this.settle(entry.current, results[i] ?? rejected(new Error(`${action.name} returned no result for this step.`))));
        continue;
      }
      for (const { current, context } of entries) {
        await this.manager.query('SAVEPOINT step_effect');
        try {
          const output = await action.execute(context);
          await this.manager.query('RELEASE SAVEPOINT step_effect');
          this.settle(current, fulfilled(output));
        } catch (error) {
          await this.manager.query('ROLLBACK TO SAVEPOINT step_effect');
          if (isInfrastructureError(error)) throw error;
          this.settle(current, rejected(error));
        }
      }
    }
  }

  /** Records an attempt's result and advances the run; a failure is retried or handed to the engine. */
  private settle(current: Current, result: Settled<unknown>): void {
    const { step, attempt, saveAs } = current;
    if (result.ok) {
      const output = result.value ?? null;
      this.record(step, { status: 'succeeded', attempts: attempt.attempt, output });
      this.transition(current, { type: STEP_SUCCEEDED, stepId: step.stepId, output, ...(saveAs ? { saveAs } : {}) });
      this.done(current.index, 'succeeded');
      return;
    }
    const stepError = toStepError(result.error);
    if (!isPermanentError(result.error) && attempt.attempt < Math.max(attempt.maxAttempts, 1)) {
      this.record(step, { status: 'running', attempts: attempt.attempt, error: stepError });
      this.results[current.index] = fulfilled({ kind: 'retry', error: stepError });
      return;
    }
    this.fail(current, stepError);
  }

  /** The last attempt failed: record it and let the run follow continueOnError, onError or fail. */
  private fail(current: Current, stepError: StepError): void {
    const { step, attempt } = current;
    this.deps.logger.warn(`Step ${step.stepId} (${step.id}) failed: ${stepError.code}: ${stepError.message}`);
    this.record(step, { status: 'failed', attempts: attempt.attempt, error: stepError });
    this.transition(current, { type: STEP_FAILED, stepId: step.stepId, error: stepError });
    this.done(current.index, 'failed');
  }

  /** What the batch writes to a locked step; the attempt started when the batch took the lock. */
  private record(step: LockedStep, update: Omit<StepUpdate, 'id' | 'startedAt'>): void {
    this.updates.push({ id: step.id, startedAt: step.lockedAt, ...update });
  }

  private transition(current: Current, event: Parameters<typeof applyEvent>[2]): void {
    const result = applyEvent(current.compiled, current.step.run.snapshot, event);
    if (result.accepted) this.plans.push(planTransition(current.step.run, result));
  }

  private done(index: number, outcome: StepOutcome): void {
    this.results[index] = fulfilled({ kind: 'done', outcome });
  }

  private async context(current: Current, definition: StepDefinition): Promise<ActionContext> {
    const { step, attempt } = current;
    const run = step.run;
    // The case is read only for params that template it: most steps' params are plain values.
    const readsCase = templatePaths(definition.params ?? {}).some(({ path }) => path === 'case' || path.startsWith('case.'));
    const caseRow = readsCase ? await this.deps.cases.findCase(run.organizationId, run.caseId, this.manager) : null;
    const params = this.renderParams(definition, run, caseRow);
    if (typeof params.saveAs === 'string') current.saveAs = params.saveAs;
    return {
      organizationId: run.organizationId,
      caseId: run.caseId,
      runId: run.id,
      stepId: step.stepId,
      stepExecutionId: step.id,
      attempt: attempt.attempt,
      params,
      idempotencyKey: `caseflow-step-${step.id}`,
      actor: { id: `run:${run.id}/step:${step.stepId}`, source: 'workflow' as const },
      manager: this.manager,
    };
  }

  private renderParams(definition: StepDefinition, run: LockedStep['run'], caseRow: CaseEntity | null): Record<string, unknown> {
    const params = renderTemplates(definition.params ?? {}, templateScope(run, caseRow, this.deps.env)) as Record<string, unknown>;
    // Templated values could not be checked at publish time; they are checked now they are known.
    const action = this.deps.actions.get(definition.action);
    const { problems } = action ? paramsSchemaProblems(action.paramsSchema, params, '') : { problems: [] };
    if (problems.length > 0) {
      throw new UnprocessableError('INVALID_PARAMS', `Rendered params are invalid: ${problems.map((p) => `${p.path || '/'} ${p.message}`).join('; ')}`);
    }
    return params;
  }
}

/** A deadlock or a serialization failure: the batch lost a race, and may simply run again. */
function isRace(error: unknown): boolean {
  const code = (error as { code?: unknown; driverError?: { code?: unknown } })?.code ?? (error as { driverError?: { code?: unknown } })?.driverError?.code;
  return code === '40P01' || code === '40001';
}
