import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, ConflictError, UnprocessableError } from '@app/common';
import { CaseEntity, CasesService, CaseView } from '@app/cases';
import { WorkflowsService } from '@app/workflows';
import { acceptedEvents, applyEvent, RUN_RETRY, startRun, WorkflowDefinition } from '@app/workflow-core';
import { guardScope } from './run-scope.util';
import { QueueOutbox } from './queue-outbox';
import { RunTransaction } from './run-transaction.service';
import { ACTIVE_RUN_STATUSES, RunEntity } from './run.entity';
import { RunRepository } from './run.repository';
import { RunSummary, RunView, toRunSummary, toRunView } from './run.view';

export interface RunEvent {
  type: string;
  payload?: unknown;
}

export type EventOutcome =
  | { accepted: true; run: RunEntity; refusal?: undefined }
  | { accepted: false; refusal: 'RUN_NOT_ACTIVE'; run: RunEntity }
  | { accepted: false; refusal: 'EVENT_NOT_ACCEPTED'; run: RunEntity; acceptedEvents: string[] };

/** Use-cases of runs: start one, send it events, retry a failed one, read its timeline. */
@Injectable()
export class RunsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transaction: RunTransaction,
    private readonly runs: RunRepository,
    private readonly cases: CasesService,
    private readonly workflows: WorkflowsService,
  ) {}

  async start(organizationId: string, caseId: string, workflowKey: string): Promise<RunView> {
    const run = await this.transaction.run((manager, outbox) => this.startInTransaction(manager, outbox, organizationId, caseId, workflowKey));
    return this.get(organizationId, run.id);
  }

  /** Starts a run of the latest version of a workflow on a case, inside the caller's transaction. */
  async startInTransaction(manager: EntityManager, outbox: QueueOutbox, organizationId: string, caseId: string, workflowKey: string): Promise<RunEntity> {
    const target = await this.cases.lockCase(manager, organizationId, caseId);
    const version = await this.workflows.latest(organizationId, workflowKey, manager);
    const { statusSet = 'default', caseType } = version.definition;
    if (statusSet !== target.statusSet) {
      throw new UnprocessableError(
        'STATUS_SET_MISMATCH',
        `Workflow "${workflowKey}" uses status set "${statusSet}" but case ${caseId} uses "${target.statusSet}".`,
      );
    }
    if (caseType && caseType !== target.type) {
      throw new UnprocessableError('CASE_TYPE_MISMATCH', `Workflow "${workflowKey}" runs on cases of type "${caseType}", not "${target.type}".`);
    }
    const active = await manager.findOne(RunEntity, { where: ACTIVE_RUN_STATUSES.map((status) => ({ caseId, status })) });
    if (active) {
      throw new ConflictError('CASE_HAS_ACTIVE_RUN', `Case ${caseId} already has an active run (${active.id}).`, { runId: active.id });
    }
    await manager.update(CaseEntity, { id: caseId, organizationId }, { workflow: version.key });
    const result = startRun(this.workflows.compiled(version));
    const run = await manager.save(
      RunEntity,
      manager.create(RunEntity, {
        organizationId,
        caseId,
        workflowVersionId: version.id,
        workflowKey: version.key,
        workflowVersion: version.version,
        status: result.status,
        state: result.state,
        snapshot: result.snapshot,
        error: null,
        currentStepExecutionId: null,
        endedAt: null,
      }),
    );
    return this.runs.applyTransition(manager, run, result, outbox);
  }

  /**
   * Applies an event to a run under its row lock, so concurrent events are applied one after
   * another. An event the current state does not accept is recorded in the timeline and refused.
   */
  async sendEvent(organizationId: string, runId: string, event: RunEvent, actor: Actor): Promise<RunView> {
    const outcome = await this.transaction.run(async (manager, outbox) => {
      const run = await this.runs.lock(manager, organizationId, runId);
      return this.applyEventLocked(manager, outbox, run, event, actor);
    });
    if (outcome.refusal === 'RUN_NOT_ACTIVE') {
      throw new ConflictError('RUN_NOT_ACTIVE', `Run ${runId} is ${outcome.run.status} and accepts no events.`, { status: outcome.run.status });
    }
    if (outcome.refusal === 'EVENT_NOT_ACCEPTED') {
      throw new ConflictError('EVENT_NOT_ACCEPTED', `State "${outcome.run.state}" does not accept event "${event.type}" now.`, {
        state: outcome.run.state,
        event: event.type,
        acceptedEvents: outcome.acceptedEvents,
      });
    }
    return this.get(organizationId, runId);
  }

  /**
   * Applies an event to a run the caller has locked, inside the caller's transaction. Whether
   * accepted or not, the event is recorded in the run's timeline; refusing is the caller's choice.
   */
  async applyEventLocked(manager: EntityManager, outbox: QueueOutbox, run: RunEntity, event: RunEvent, actor: Actor): Promise<EventOutcome> {
    if (!ACTIVE_RUN_STATUSES.includes(run.status)) {
      await this.runs.recordEvent(manager, run.id, event.type, false, { payload: event.payload, actor: actor.id, reason: `run is ${run.status}` });
      return { accepted: false, refusal: 'RUN_NOT_ACTIVE', run };
    }
    const version = await this.workflows.versionById(run.workflowVersionId, manager);
    const compiled = this.workflows.compiled(version);
    // Only guards read the case: an event whose transitions have none is applied without it.
    const scope = isGuarded(version.definition, run.state, event.type) ? guardScope(run, await this.cases.findCase(run.organizationId, run.caseId, manager)) : undefined;
    const result = applyEvent(compiled, run.snapshot, { type: event.type, payload: event.payload }, scope);
    const recorded = { payload: event.payload, actor: actor.id };
    if (!result.accepted) {
      await this.runs.recordEvent(manager, run.id, event.type, false, recorded);
      return { accepted: false, refusal: 'EVENT_NOT_ACCEPTED', run, acceptedEvents: acceptedEvents(compiled, run.snapshot) };
    }
    await this.runs.applyTransition(manager, run, result, outbox, { type: event.type, payload: recorded });
    return { accepted: true, run };
  }

  /** The case's active run, locked; null when it has none. Lock runs before cases, as steps do. */
  async lockActiveRun(manager: EntityManager, organizationId: string, caseId: string): Promise<RunEntity | null> {
    const active = await manager.findOne(RunEntity, {
      where: ACTIVE_RUN_STATUSES.map((status) => ({ caseId, organizationId, status })),
      select: { id: true },
    });
    if (!active) return null;
    const run = await this.runs.lock(manager, organizationId, active.id);
    // It may have ended between the look-up and the lock.
    return ACTIVE_RUN_STATUSES.includes(run.status) ? run : null;
  }

  /** Resumes a failed run at the step that failed, as a new step execution. */
  async retry(organizationId: string, runId: string, actor: Actor): Promise<RunView> {
    await this.transaction.run(async (manager, outbox) => {
      const run = await this.runs.lock(manager, organizationId, runId);
      if (run.status !== 'failed') {
        throw new ConflictError('RUN_NOT_FAILED', `Run ${runId} is ${run.status}; only a failed run can be retried.`, { status: run.status });
      }
      const active = await manager.findOne(RunEntity, { where: ACTIVE_RUN_STATUSES.map((status) => ({ caseId: run.caseId, organizationId, status })) });
      if (active) {
        throw new ConflictError('CASE_HAS_ACTIVE_RUN', `Case ${run.caseId} has another active run (${active.id}); this one cannot resume.`, { runId: active.id });
      }
      const compiled = this.workflows.compiled(await this.workflows.versionById(run.workflowVersionId, manager));
      const result = applyEvent(compiled, run.snapshot, { type: RUN_RETRY });
      await this.runs.recordEvent(manager, run.id, RUN_RETRY, result.accepted, { actor: actor.id });
      if (!result.accepted) throw new ConflictError('RUN_NOT_RETRYABLE', `Run ${runId} cannot be retried from state "${run.state}".`);
      await this.runs.applyTransition(manager, run, result, outbox);
    });
    return this.get(organizationId, runId);
  }

  async get(organizationId: string, runId: string): Promise<RunView> {
    const { run, steps, history } = await this.runs.findWithTimeline(this.dataSource.manager, organizationId, runId);
    return toRunView(run, steps, history);
  }

  /** A case as every route answers it (SPEC §6): its view and its runs, oldest first. */
  async withRuns(organizationId: string, view: CaseView): Promise<CaseDetail> {
    const runs = await this.runs.listForCases(this.dataSource.manager, organizationId, [view.id]);
    return { ...view, runs: runs.map(toRunSummary) };
  }
}

export type CaseDetail = CaseView & { runs: RunSummary[] };

/** Whether any transition a state takes on an event has a guard (guards are the only readers of the case). */
function isGuarded(definition: WorkflowDefinition, state: string, eventType: string): boolean {
  const on = definition.states[state]?.on;
  const transitions = on && Object.hasOwn(on, eventType) ? on[eventType] : [];
  return [transitions].flat().some((transition) => typeof transition === 'object' && transition.guard !== undefined);
}
