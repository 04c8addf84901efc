import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CaseflowConfig, isInfrastructureError, UnprocessableError } from '@app/common';
import { ActionRegistry, WorkflowAction } from '@app/actions';
import { CaseEntity, CasesService } from '@app/cases';
import { WorkflowsService } from '@app/workflows';
import { applyEvent, CompiledWorkflow, paramsSchemaProblems, renderTemplates, STEP_FAILED, STEP_SUCCEEDED, StepDefinition, StepError, templatePaths } from '@app/workflow-core';
import { QueueOutbox } from './queue-outbox';
import { templateScope } from './run-scope.util';
import { RunTransaction } from './run-transaction.service';
import { RunRepository } from './run.repository';
import type { RunEntity } from './run.entity';
import type { StepExecutionEntity } from './step-execution.entity';
import { isPermanentError, RetryableStepError, toStepError } from './step-error.util';

export interface StepAttempt {
  stepExecutionId: string;
  /** 1-based attempt number as the queue counts it. */
  attempt: number;
  /** Attempts the queue will make in all. */
  maxAttempts: number;
}

/** noop: another delivery finished the step already; skipped: the run had left the step's state. */
export type StepOutcome = 'succeeded' | 'failed' | 'skipped' | 'noop';

interface Prepared {
  step: StepExecutionEntity;
  run: RunEntity;
  compiled: CompiledWorkflow;
  action: WorkflowAction;
  definition: StepDefinition;
}

/**
 * Executes one step attempt (the worker's single use-case). The action's database effect, the
 * step's completion, the run's advance and the next step's record commit in one transaction; the
 * next job is enqueued after commit. A step already finished is left alone, so a redelivered job
 * has no second effect; a step whose state the run has left is skipped, not executed.
 *
 * Errors come in three kinds: the action's own (retried per the step's policy, then handed to the
 * engine), permanent ones (a domain refusal: handed to the engine at once), and infrastructure
 * ones (database or network down: thrown to the queue without touching the step, to come back).
 */
@Injectable()
export class StepExecutorService {
  private readonly logger = new Logger(StepExecutorService.name);
  private readonly env: Record<string, string>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transaction: RunTransaction,
    private readonly runs: RunRepository,
    private readonly cases: CasesService,
    private readonly workflows: WorkflowsService,
    private readonly actions: ActionRegistry,
    config: CaseflowConfig,
  ) {
    this.env = Object.fromEntries(config.CASEFLOW_ENV_ALLOW.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name] as string]));
  }

  async execute(attempt: StepAttempt): Promise<StepOutcome> {
    const step = await this.runs.claimStep(this.dataSource.manager, attempt.stepExecutionId, attempt.attempt);
    if (!step) return 'noop';
    const run = await this.runs.find(this.dataSource.manager, step.organizationId, step.runId);
    if (!isCurrent(run, step)) {
      // An event moved the run on while this step waited (in the queue or in a retry backoff).
      await this.runs.skipStep(this.dataSource.manager, step.id);
      return 'skipped';
    }
    const version = await this.workflows.versionById(run.workflowVersionId);
    const compiled = this.workflows.compiled(version);
    const definition = version.definition.states[step.state]?.steps?.[step.stepIndex];
    const action = this.actions.get(step.action);
    if (!definition) return this.fail(step, compiled, { code: 'UNKNOWN_STEP', message: `Step ${step.stepId} is not in ${version.key}@${version.version}.` });
    if (!action) return this.fail(step, compiled, { code: 'UNKNOWN_ACTION', message: `No action "${step.action}" is registered in this worker.` });
    const prepared: Prepared = { step, run, compiled, action, definition };
    try {
      return await this.attempt(prepared, attempt);
    } catch (error) {
      if (isInfrastructureError(error)) throw error;
      return this.failOrRetry(prepared, attempt, error);
    }
  }

  private async attempt({ step, run, compiled, action, definition }: Prepared, attempt: StepAttempt): Promise<StepOutcome> {
    // The case is read only for params that template it: most steps' params are plain values.
    const readsCase = templatePaths(definition.params ?? {}).some(({ path }) => path === 'case' || path.startsWith('case.'));
    const params = this.renderParams(definition, run, readsCase ? await this.cases.findCase(run.organizationId, run.caseId) : null);
    const saveAs = typeof params.saveAs === 'string' ? params.saveAs : undefined;
    const context = {
      organizationId: run.organizationId,
      caseId: run.caseId,
      runId: run.id,
      stepId: step.stepId,
      stepExecutionId: step.id,
      attempt: attempt.attempt,
      params,
      idempotencyKey: `caseflow-step-${step.id}`,
      actor: { id: `run:${run.id}/step:${step.stepId}`, source: 'workflow' as const },
    };
    if (action.transactional) {
      return this.transaction.run((manager, outbox) => this.finish(manager, outbox, step, compiled, saveAs, (tx) => action.execute({ ...context, manager: tx })));
    }
    const output = await action.execute({ ...context, manager: this.dataSource.manager });
    try {
      return await this.transaction.run((manager, outbox) => this.finish(manager, outbox, step, compiled, saveAs, async () => output));
    } catch (error) {
      // The effect happened: never report the step failed for a bookkeeping error. The queue
      // retries the attempt; the action is called again with the same idempotency key.
      throw Object.assign(new Error(`Recording step ${step.id} failed after its action succeeded: ${(error as Error).message}`), { cause: error, infrastructure: true });
    }
  }

  /**
   * Marks the step succeeded and advances the run, under the run's lock. A transactional effect is
   * applied only if the run still waits on this step; otherwise the step is skipped.
   */
  private async finish(
    manager: EntityManager,
    outbox: QueueOutbox,
    step: StepExecutionEntity,
    compiled: CompiledWorkflow,
    saveAs: string | undefined,
    effect: (manager: EntityManager) => Promise<unknown>,
  ): Promise<StepOutcome> {
    const run = await this.runs.lock(manager, step.organizationId, step.runId);
    if (!(await this.runs.lockRunningStep(manager, step.id))) return 'noop';
    if (!isCurrent(run, step)) {
      await this.runs.skipStep(manager, step.id);
      return 'skipped';
    }
    const output = await effect(manager);
    await this.runs.finishStep(manager, step.id, { status: 'succeeded', output });
    const result = applyEvent(compiled, run.snapshot, { type: STEP_SUCCEEDED, stepId: step.stepId, output, ...(saveAs ? { saveAs } : {}) });
    if (result.accepted) await this.runs.applyTransition(manager, run, result, outbox);
    return 'succeeded';
  }

  private async failOrRetry(prepared: Prepared, attempt: StepAttempt, error: unknown): Promise<StepOutcome> {
    const stepError = toStepError(error);
    if (!isPermanentError(error) && attempt.attempt < Math.max(attempt.maxAttempts, 1)) {
      await this.runs.recordAttemptError(this.dataSource.manager, prepared.step.id, stepError);
      throw new RetryableStepError(stepError);
    }
    return this.fail(prepared.step, prepared.compiled, stepError);
  }

  /** The last attempt failed: record it and let the run follow continueOnError, onError or fail. */
  private async fail(step: StepExecutionEntity, compiled: CompiledWorkflow, stepError: StepError): Promise<StepOutcome> {
    this.logger.warn(`Step ${step.stepId} (${step.id}) failed: ${stepError.code}: ${stepError.message}`);
    return this.transaction.run(async (manager, outbox) => {
      const run = await this.runs.lock(manager, step.organizationId, step.runId);
      if (!(await this.runs.lockRunningStep(manager, step.id))) return 'noop';
      await this.runs.finishStep(manager, step.id, { status: 'failed', error: stepError });
      if (isCurrent(run, step)) {
        const result = applyEvent(compiled, run.snapshot, { type: STEP_FAILED, stepId: step.stepId, error: stepError });
        if (result.accepted) await this.runs.applyTransition(manager, run, result, outbox);
      }
      return 'failed';
    });
  }

  private renderParams(definition: StepDefinition, run: RunEntity, caseRow: CaseEntity | null): Record<string, unknown> {
    const params = renderTemplates(definition.params ?? {}, templateScope(run, caseRow, this.env)) as Record<string, unknown>;
    // Templated values could not be checked at publish time; they are checked now they are known.
    const action = this.actions.get(definition.action);
    const { problems } = action ? paramsSchemaProblems(action.paramsSchema, params, '') : { problems: [] };
    if (problems.length > 0) {
      throw new UnprocessableError('INVALID_PARAMS', `Rendered params are invalid: ${problems.map((p) => `${p.path || '/'} ${p.message}`).join('; ')}`);
    }
    return params;
  }
}

/** The run waits on this step execution: results of any other are stale. */
function isCurrent(run: RunEntity, step: StepExecutionEntity): boolean {
  return run.currentStepExecutionId === step.id && run.status === 'running';
}
