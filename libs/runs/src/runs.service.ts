import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, ConflictError, fulfilled, GroupCommit, inRounds, isUuid, NotFoundError, rejected, Settled, UnprocessableError } from '@app/common';
import { CaseEntity, CasesService } from '@app/cases';
import { CommittedWorkError } from '@app/persistence';
import { WorkflowsService } from '@app/workflows';
import { acceptedEvents, applyEvent, RUN_RETRY, startRun, TransitionResult, WorkflowDefinition } from '@app/workflow-core';
import { guardScope } from './run-scope.util';
import { QueueOutbox } from './queue-outbox';
import { RunTransaction } from './run-transaction.service';
import { ACTIVE_RUN_STATUSES, RunEntity } from './run.entity';
import { RunRepository } from './run.repository';
import { RunView, toRunView } from './run.view';
import { StepBatchRepository } from './step-batch.repository';
import { HistoryRow, planTransition, TransitionPlan } from './transition-plan';

export interface RunEvent {
  type: string;
  payload?: unknown;
}

/** An event sent over the API, waiting to be committed with its company. */
interface EventItem {
  organizationId: string;
  runId: string;
  event: RunEvent;
  actor: Actor;
}

/** An event's outcome, and the run as the event left it when it was accepted. */
interface EventAnswer {
  outcome: EventOutcome;
  view: RunView | null;
}

interface EventDecision {
  outcome: EventOutcome;
  /** The timeline's record of a refused event. */
  refused: HistoryRow | null;
  /** What an accepted event writes, its own record first. */
  plan: TransitionPlan | null;
}

/**
 * Events committed together, waiting for nobody: a lone event goes at once, and under load the
 * events that arrive while a flush runs share the next one's transaction. One flush at a time, as
 * for status updates: about 5% less machine CPU per event at 850 events/s than two.
 */
const EVENT_BATCH = { name: 'events', maxBatch: 64, maxFlushes: 1 };

export type EventOutcome =
  | { accepted: true; run: RunEntity; refusal?: undefined }
  | { accepted: false; refusal: 'RUN_NOT_ACTIVE'; run: RunEntity }
  | { accepted: false; refusal: 'EVENT_NOT_ACCEPTED'; run: RunEntity; acceptedEvents: string[] };

/** Use-cases of runs: start one, send it events, retry a failed one, read its timeline. */
@Injectable()
export class RunsService {
  private readonly logger = new Logger(RunsService.name);
  private readonly events: GroupCommit<EventItem, EventAnswer>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transaction: RunTransaction,
    private readonly runs: RunRepository,
    private readonly cases: CasesService,
    private readonly workflows: WorkflowsService,
    private readonly steps: StepBatchRepository,
  ) {
    this.events = new GroupCommit(EVENT_BATCH, (items) => this.applyEventBatch(items));
  }

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
    await this.writeTransitions(manager, outbox, [moveRun(run, result)]);
    return run;
  }

  /**
   * Applies an event to a run under its row lock, so concurrent events to one run are applied one
   * after another. An event the current state does not accept is recorded in the timeline and
   * refused. Concurrent events, to any runs, are committed together (see applyEventBatch).
   */
  async sendEvent(organizationId: string, runId: string, event: RunEvent, actor: Actor): Promise<RunView> {
    if (!isUuid(runId)) throw new NotFoundError('Run', runId);
    const answer = await this.events.submit({ organizationId, runId, event, actor });
    const { outcome } = answer;
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
    if (!answer.view) throw new NotFoundError('Run', runId);
    return answer.view;
  }

  /**
   * Applies an event to a run the caller has locked, inside the caller's transaction. Whether
   * accepted or not, the event is recorded in the run's timeline; refusing is the caller's choice.
   */
  async applyEventLocked(manager: EntityManager, outbox: QueueOutbox, run: RunEntity, event: RunEvent, actor: Actor): Promise<EventOutcome> {
    const decision = await this.decideEvent(manager, run, event, actor);
    await this.writeDecisions(manager, outbox, [decision]);
    return decision.outcome;
  }

  /**
   * A flush of concurrent events: one transaction locks their runs (in id order), decides each
   * event in memory, writes them all in one script and reads the answers back; the steps they
   * scheduled are enqueued together after the commit. Two events to one run go in successive
   * rounds of the transaction, the second deciding on what the first made of the run. An event
   * that fails on its own (an unknown run, a guard that throws) fails alone. If the transaction
   * itself fails, each event is tried again in a transaction of its own, so none fails for another;
   * unless it had committed (CommittedWorkError), which would apply them twice.
   */
  private async applyEventBatch(items: EventItem[]): Promise<Array<Settled<EventAnswer>>> {
    try {
      return await this.transaction.run((manager, outbox) => this.applyEventsIn(manager, outbox, items));
    } catch (error) {
      // Committed before it failed (see queryAndCommit): trying again would apply it twice.
      if (items.length === 1 || error instanceof CommittedWorkError) return items.map(() => rejected(error));
      this.logger.warn(`A flush of ${items.length} events failed (${(error as Error).message}); each is tried again on its own.`);
      return Promise.all(items.map((item) => this.applyEventBatch([item]).then(([settled]) => settled)));
    }
  }

  private async applyEventsIn(manager: EntityManager, outbox: QueueOutbox, items: EventItem[]): Promise<Array<Settled<EventAnswer>>> {
    const locked = await this.runs.lockMany(manager, unique(items.map((item) => item.runId)), unique(items.map((item) => item.organizationId)));
    const runs = new Map(locked.map((run) => [run.id, run]));
    const settled: Array<Settled<EventAnswer> | undefined> = [];
    const outcomes = new Map<number, EventOutcome>();
    const found = items.map((item, index) => ({ item, index })).filter(({ item }) => runs.get(item.runId)?.organizationId === item.organizationId);
    const cases = await this.casesForGuards(manager, found.map(({ item }) => ({ run: runs.get(item.runId) as RunEntity, type: item.event.type })));
    for (const round of inRounds(found, ({ item }) => item.runId)) {
      const decisions: EventDecision[] = [];
      for (const { item, index } of round) {
        try {
          const decision = await this.decideEvent(manager, runs.get(item.runId) as RunEntity, item.event, item.actor, cases);
          decisions.push(decision);
          outcomes.set(index, decision.outcome);
        } catch (error) {
          settled[index] = rejected(error);
        }
      }
      await this.writeDecisions(manager, outbox, decisions);
    }
    const accepted = [...outcomes].filter(([, outcome]) => outcome.accepted).map(([index]) => items[index].runId);
    // The flush's last statement, and its COMMIT in the same message: what follows only shapes the answers.
    const timelines = await this.runs.findManyWithTimeline(manager, unique(accepted), { andCommit: true });
    for (const [index, outcome] of outcomes) {
      const timeline = outcome.accepted ? timelines.get(items[index].runId) : undefined;
      settled[index] = fulfilled({ outcome, view: timeline ? toRunView(timeline.run, timeline.steps, timeline.history) : null });
    }
    // What is left found no run of its caller's organization.
    return items.map((item, index) => settled[index] ?? rejected(new NotFoundError('Run', item.runId)));
  }

  /**
   * The cases that the guards of a batch's events will read, in one statement rather than one per
   * event while every run of the batch is locked. Decided on the runs' states as locked: an event
   * that meets a guard only after an earlier event of its run still reads its case on its own.
   */
  private async casesForGuards(manager: EntityManager, events: Array<{ run: RunEntity; type: string }>): Promise<Map<string, CaseEntity>> {
    const guarded: RunEntity[] = [];
    for (const { run, type } of events) {
      if (!ACTIVE_RUN_STATUSES.includes(run.status)) continue;
      if (isGuarded((await this.workflows.versionById(run.workflowVersionId, manager)).definition, run.state, type)) guarded.push(run);
    }
    return this.cases.findCases(manager, unique(guarded.map((run) => run.organizationId)), unique(guarded.map((run) => run.caseId)));
  }

  /** What an event does to a run locked by the caller, decided in memory: the rows to write, and the run moved on. */
  private async decideEvent(manager: EntityManager, run: RunEntity, event: RunEvent, actor: Actor, cases = new Map<string, CaseEntity>()): Promise<EventDecision> {
    const refused = (reason?: string): HistoryRow => ({
      runId: run.id,
      kind: 'event',
      name: event.type,
      accepted: false,
      payload: { payload: event.payload, actor: actor.id, ...(reason ? { reason } : {}) },
    });
    if (!ACTIVE_RUN_STATUSES.includes(run.status)) {
      return { outcome: { accepted: false, refusal: 'RUN_NOT_ACTIVE', run }, refused: refused(`run is ${run.status}`), plan: null };
    }
    const version = await this.workflows.versionById(run.workflowVersionId, manager);
    const compiled = this.workflows.compiled(version);
    // Only guards read the case: an event whose transitions have none is applied without it.
    const scope = isGuarded(version.definition, run.state, event.type)
      ? guardScope(run, cases.get(run.caseId) ?? (await this.cases.findCase(run.organizationId, run.caseId, manager)))
      : undefined;
    const result = applyEvent(compiled, run.snapshot, { type: event.type, payload: event.payload }, scope);
    if (!result.accepted) {
      return { outcome: { accepted: false, refusal: 'EVENT_NOT_ACCEPTED', run, acceptedEvents: acceptedEvents(compiled, run.snapshot) }, refused: refused(), plan: null };
    }
    const plan = moveRun(run, result, { type: event.type, payload: { payload: event.payload, actor: actor.id } });
    return { outcome: { accepted: true, run }, refused: null, plan };
  }

  private async writeDecisions(manager: EntityManager, outbox: QueueOutbox, decisions: EventDecision[]): Promise<void> {
    const plans = decisions.flatMap((decision) => (decision.plan ? [decision.plan] : []));
    const refused = decisions.flatMap((decision) => (decision.refused ? [decision.refused] : []));
    await this.writeTransitions(manager, outbox, plans, refused);
  }

  /**
   * Writes transitions, and events refused, with the batches' statements (deferred, so they travel
   * with the transaction's next statement), and hands their queue work to the outbox: the steps
   * scheduled, and the interrupted steps that were skipped.
   */
  private async writeTransitions(manager: EntityManager, outbox: QueueOutbox, plans: TransitionPlan[], refused: HistoryRow[] = []): Promise<void> {
    if (plans.length === 0 && refused.length === 0) return;
    const { removedStepIds } = await this.steps.write(manager, { plans, history: refused });
    outbox.toRemove.push(...removedStepIds);
    outbox.toEnqueue.push(...plans.flatMap((plan) => plan.jobs));
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
      if (!result.accepted) throw new ConflictError('RUN_NOT_RETRYABLE', `Run ${runId} cannot be retried from state "${run.state}".`);
      await this.writeTransitions(manager, outbox, [moveRun(run, result, { type: RUN_RETRY, payload: { actor: actor.id } })]);
    });
    return this.get(organizationId, runId);
  }

  async get(organizationId: string, runId: string): Promise<RunView> {
    const { run, steps, history } = await this.runs.findWithTimeline(this.dataSource.manager, organizationId, runId);
    return toRunView(run, steps, history);
  }
}

const unique = (values: string[]) => [...new Set(values)];

/** Whether any transition a state takes on an event has a guard (guards are the only readers of the case). */
function isGuarded(definition: WorkflowDefinition, state: string, eventType: string): boolean {
  const on = definition.states[state]?.on;
  const transitions = on && Object.hasOwn(on, eventType) ? on[eventType] : [];
  return [transitions].flat().some((transition) => typeof transition === 'object' && transition.guard !== undefined);
}

/**
 * Plans a transition of a run and moves the run in memory to where it leads, so a later event in
 * the same transaction starts from there. `event`, the accepted event that made the transition,
 * comes first in the timeline, before the states it entered.
 */
function moveRun(run: RunEntity, result: TransitionResult, event?: { type: string; payload: Record<string, unknown> }): TransitionPlan {
  const plan = planTransition(run, result);
  if (event) plan.history.unshift({ runId: run.id, kind: 'event', name: event.type, accepted: true, payload: event.payload });
  const { ended, ...position } = plan.changes;
  Object.assign(run, position, { endedAt: ended ? new Date() : null });
  return plan;
}
