import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CaseflowConfig, UnprocessableError } from '@app/common';
import { ActionRegistry } from '@app/actions';
import { CasesService } from '@app/cases';
import { WorkflowsService } from '@app/workflows';
import { applyEvent, CompiledWorkflow, paramsSchemaProblems, renderTemplates, StepDefinition, StepError } from '@app/workflow-core';
import { templateScope } from './run-scope.util';
import { QueueOutbox, RunTransaction } from './run-transaction.service';
import { RunRepository } from './run.repository';
import type { RunEntity } from './run.entity';
import type { StepExecutionEntity } from './step-execution.entity';
import { RetryableStepError, toStepError } from './step-error.util';

export interface StepAttempt {
  stepExecutionId: string;
  organizationId: string;
  /** 1-based attempt number as the queue counts it. */
  attempt: number;
  /** Attempts the queue will make in all. */
  maxAttempts: number;
}

export type StepOutcome = 'succeeded' | 'failed' | 'retrying' | 'noop';

/**
 * Executes one step attempt (the worker's single use-case). The action's database effect, the
 * step's completion, the run's advance and the next step's record commit in one transaction; the
 * next job is enqueued after commit. A step already finished or skipped is left alone, so a
 * redelivered job has no second effect.
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
    const step = await this.runs.claimStep(this.dataSource.manager, attempt.stepExecutionId);
    if (!step) return 'noop';
    const run = await this.runs.find(this.dataSource.manager, step.organizationId, step.runId);
    const version = await this.workflows.versionById(run.workflowVersionId);
    const compiled = this.workflows.compiled(version);
    const definition = version.definition.states[step.state]?.steps?.[step.stepIndex];
    const action = this.actions.get(step.action);
    if (!action || !definition) {
      // Only a registry changed under a published definition gets here; retrying cannot help.
      return this.fail(step, compiled, { code: 'UNKNOWN_ACTION', message: `No action "${step.action}" is registered in this worker.` });
    }
    let params: Record<string, unknown>;
    try {
      params = this.renderParams(definition, run, await this.cases.findCase(run.organizationId, run.caseId));
      // Templated values could not be checked at publish time; they are checked now they are known.
      const { problems } = paramsSchemaProblems(action.paramsSchema, params, '');
      if (problems.length > 0) {
        throw new UnprocessableError('INVALID_PARAMS', `Rendered params are invalid: ${problems.map((p) => `${p.path || '/'} ${p.message}`).join('; ')}`);
      }
    } catch (error) {
      return this.failOrRetry(step, compiled, attempt, error);
    }
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
    try {
      if (action.transactional) {
        return await this.transaction.run((manager, outbox) =>
          this.finish(manager, outbox, step, compiled, saveAs, () => action.execute({ ...context, manager })),
        );
      }
      const output = await action.execute({ ...context, manager: this.dataSource.manager });
      return await this.transaction.run((manager, outbox) => this.finish(manager, outbox, step, compiled, saveAs, async () => output));
    } catch (error) {
      return this.failOrRetry(step, compiled, attempt, error);
    }
  }

  /** Marks the step succeeded and advances the run, unless another delivery finished it first. */
  private async finish(
    manager: EntityManager,
    outbox: QueueOutbox,
    step: StepExecutionEntity,
    compiled: CompiledWorkflow,
    saveAs: string | undefined,
    effect: () => Promise<unknown>,
  ): Promise<StepOutcome> {
    const run = await this.runs.lock(manager, step.organizationId, step.runId);
    if (!(await this.runs.lockRunningStep(manager, step.id))) return 'noop';
    const output = await effect();
    await this.runs.finishStep(manager, step.id, { status: 'succeeded', output });
    if (this.isCurrent(run, step)) {
      const result = applyEvent(compiled, run.snapshot, { type: 'caseflow.step.succeeded', stepId: step.stepId, output, ...(saveAs ? { saveAs } : {}) });
      if (result.accepted) await this.runs.applyTransition(manager, run, result, outbox);
    }
    return 'succeeded';
  }

  private async failOrRetry(step: StepExecutionEntity, compiled: CompiledWorkflow, attempt: StepAttempt, error: unknown): Promise<StepOutcome> {
    const stepError = toStepError(error);
    if (attempt.attempt < Math.max(attempt.maxAttempts, 1)) {
      await this.runs.recordAttemptError(this.dataSource.manager, step.id, stepError);
      throw new RetryableStepError(stepError);
    }
    return this.fail(step, compiled, stepError);
  }

  /** The last attempt failed: record it and let the run follow continueOnError, onError or fail. */
  private async fail(step: StepExecutionEntity, compiled: CompiledWorkflow, stepError: StepError): Promise<StepOutcome> {
    this.logger.warn(`Step ${step.stepId} (${step.id}) failed: ${stepError.code}: ${stepError.message}`);
    return this.transaction.run(async (manager, outbox) => {
      const run = await this.runs.lock(manager, step.organizationId, step.runId);
      if (!(await this.runs.lockRunningStep(manager, step.id))) return 'noop';
      await this.runs.finishStep(manager, step.id, { status: 'failed', error: stepError });
      if (this.isCurrent(run, step)) {
        const result = applyEvent(compiled, run.snapshot, { type: 'caseflow.step.failed', stepId: step.stepId, error: stepError });
        if (result.accepted) await this.runs.applyTransition(manager, run, result, outbox);
      }
      return 'failed';
    });
  }

  /** Results of a step the run no longer waits on (its state was left) are kept but advance nothing. */
  private isCurrent(run: RunEntity, step: StepExecutionEntity): boolean {
    return run.currentStepExecutionId === step.id && run.status === 'running';
  }

  private renderParams(definition: StepDefinition, run: RunEntity, caseRow: Parameters<typeof templateScope>[1]) {
    return renderTemplates(definition.params ?? {}, templateScope(run, caseRow, this.env)) as Record<string, unknown>;
  }
}
