import { createActor, initialTransition, type AnyActorScope, type StateValue } from 'xstate';

import {
  DONE_SUBSTATE,
  STEP_FAILED,
  STEP_SUCCEEDED,
  type CompiledWorkflow,
  type EnterStateParams,
  type MachineEvent,
  type StepMarkerParams,
} from './compile-workflow.util';
import type { StepDefinition } from './definition.types';
import type {
  EngineEvent,
  GuardScope,
  PersistedRunSnapshot,
  RunPosition,
  ScheduledStep,
  TransitionResult,
} from './engine.types';

/**
 * The pure transition API: a definition, a stored snapshot and an event in; the next snapshot, the
 * steps to schedule and the derived status out. No I/O, no clocks, no randomness.
 */

type MachineSnapshot = ReturnType<CompiledWorkflow['machine']['resolveState']>;
type MarkerAction = { type: string; params?: unknown };

/** Starts a run: enters the initial state and schedules its first step, if any. */
export function startRun(compiled: CompiledWorkflow): TransitionResult {
  const [next, actions] = initialTransition(compiled.machine);
  return toResult(compiled, next, actions);
}

/**
 * Applies an event to a stored snapshot. `scope` (the case and run as guards should see them) is
 * attached to the event, never stored. An event the current state does not handle, or whose
 * guards all fail, is refused: `accepted: false`, the snapshot unchanged, nothing scheduled.
 */
export function applyEvent(
  compiled: CompiledWorkflow,
  snapshot: PersistedRunSnapshot,
  event: EngineEvent,
  scope?: GuardScope,
): TransitionResult {
  const current = restore(compiled, snapshot);
  const machineEvent: MachineEvent = scope === undefined ? { ...event } : { ...event, scope };
  const before = describeState(compiled, snapshot);

  if (!current.can(machineEvent)) {
    const unchanged = { value: structuredClone(snapshot.value), context: structuredClone(snapshot.context) };
    return { accepted: false, ...position(compiled, unchanged), statesEntered: [], stepsToSchedule: [] };
  }

  const [next, actions] = transition(compiled, current, machineEvent);
  const result = toResult(compiled, next, actions);
  if (before.status === 'running' && before.stepIndex !== undefined) {
    const pending = stepAt(compiled, before.state, before.stepIndex);
    const isItsResult =
      (event.type === STEP_SUCCEEDED || event.type === STEP_FAILED) &&
      'stepId' in event &&
      event.stepId === pending?.id;
    if (pending && !isItsResult) {
      result.interruptedStep = { state: before.state, stepIndex: before.stepIndex, stepId: pending.id };
    }
  }
  return result;
}

/** Reads where a stored snapshot is, without transitioning. */
export function describeState(compiled: CompiledWorkflow, snapshot: PersistedRunSnapshot): RunPosition {
  const { state, substate } = locate(snapshot.value);
  const stepMatch = /^__(step|failed)_(\d+)$/.exec(substate ?? '');
  if (stepMatch) {
    return { state, status: stepMatch[1] === 'step' ? 'running' : 'failed', stepIndex: Number(stepMatch[2]) };
  }
  const isFinal = compiled.definition.states[state]?.type === 'final';
  return { state, status: substate === DONE_SUBSTATE && isFinal ? 'completed' : 'waiting' };
}

/**
 * The user events the current state handles (guards not evaluated), for "event not accepted"
 * messages. A failed run is still in its state, so it still lists that state's events.
 */
export function acceptedEvents(compiled: CompiledWorkflow, snapshot: PersistedRunSnapshot): string[] {
  const { state, status } = describeState(compiled, snapshot);
  const definition = compiled.definition.states[state];
  if (!definition || definition.type === 'final' || status === 'completed') return [];
  return Object.keys(definition.on ?? {});
}

/**
 * What xstate's pure `transition()` does, with one actor scope per machine rather than one per
 * call. `transition()` builds a throwaway actor for every call, and an actor computes the
 * machine's initial snapshot when it is made: that was half of xstate's allocation per step.
 * The scope is inert (nothing runs, nothing is sent), these machines spawn and invoke nothing,
 * and its action executor only collects the actions of the call under way: transitions are
 * synchronous, so calls never overlap.
 */
function transition(compiled: CompiledWorkflow, current: MachineSnapshot, event: MachineEvent): [MachineSnapshot, MarkerAction[]] {
  const scope = inertScope(compiled);
  const actions: MarkerAction[] = [];
  scope.actionExecutor = (action) => void actions.push(action);
  try {
    return [compiled.machine.transition(current, event, scope), actions];
  } finally {
    scope.actionExecutor = ignore;
  }
}

const ignore = () => undefined;
const inertScopes = new WeakMap<CompiledWorkflow, AnyActorScope>();

function inertScope(compiled: CompiledWorkflow): AnyActorScope {
  let scope = inertScopes.get(compiled);
  if (!scope) {
    const self = createActor(compiled.machine);
    scope = { self, id: '', sessionId: '', system: self.system, logger: ignore, defer: ignore, emit: ignore, stopChild: ignore, actionExecutor: ignore };
    inertScopes.set(compiled, scope);
  }
  return scope;
}

function restore(compiled: CompiledWorkflow, snapshot: PersistedRunSnapshot): MachineSnapshot {
  // The value was produced by this machine and stored as JSON; xstate checks it names real states.
  return compiled.machine.resolveState({
    value: snapshot.value as StateValue,
    context: structuredClone(snapshot.context),
  });
}

function toResult(
  compiled: CompiledWorkflow,
  next: MachineSnapshot,
  actions: readonly MarkerAction[],
): TransitionResult {
  // Cloned so the stored snapshot shares no objects with events or with xstate's internals.
  const snapshot: PersistedRunSnapshot = { value: structuredClone(next.value), context: structuredClone(next.context) };
  const statesEntered: string[] = [];
  const stepsToSchedule: ScheduledStep[] = [];
  for (const action of actions) {
    // Marker params are the plain objects compileWorkflow wrote for these action types.
    if (action.type === 'enterState') statesEntered.push((action.params as EnterStateParams).state);
    if (action.type === 'scheduleStep') {
      const { state, stepIndex } = action.params as StepMarkerParams;
      const step = stepAt(compiled, state, stepIndex);
      if (step) stepsToSchedule.push(toScheduledStep(state, stepIndex, step));
    }
  }
  return { accepted: true, ...position(compiled, snapshot), statesEntered, stepsToSchedule };
}

function position(
  compiled: CompiledWorkflow,
  snapshot: PersistedRunSnapshot,
): Pick<TransitionResult, 'snapshot' | 'state' | 'status' | 'failure'> {
  const { state, status, stepIndex } = describeState(compiled, snapshot);
  const result: Pick<TransitionResult, 'snapshot' | 'state' | 'status' | 'failure'> = { snapshot, state, status };
  if (status === 'failed' && stepIndex !== undefined) {
    const stepId = stepAt(compiled, state, stepIndex)?.id ?? `${state}#${stepIndex}`;
    const error = snapshot.context.steps[stepId]?.error ?? { code: 'STEP_FAILED', message: 'step failed' };
    result.failure = { stepId, error };
  }
  return result;
}

function toScheduledStep(state: string, stepIndex: number, step: StepDefinition): ScheduledStep {
  return {
    state,
    stepIndex,
    stepId: step.id,
    action: step.action,
    params: structuredClone(step.params ?? {}),
    retry: {
      maxAttempts: step.retry?.maxAttempts ?? 1,
      ...(step.retry?.backoff ? { backoff: { ...step.retry.backoff } } : {}),
    },
    continueOnError: step.continueOnError ?? false,
  };
}

function stepAt(compiled: CompiledWorkflow, state: string, stepIndex: number): StepDefinition | undefined {
  const definition = Object.hasOwn(compiled.definition.states, state) ? compiled.definition.states[state] : undefined;
  return definition?.steps?.[stepIndex];
}

/** `{ review: '__step_0' }` -> state `review`, substate `__step_0`. */
function locate(value: unknown): { state: string; substate?: string } {
  if (typeof value === 'string') return { state: value };
  if (value !== null && typeof value === 'object') {
    const [state] = Object.keys(value);
    const child = (value as Record<string, unknown>)[state];
    if (state !== undefined) return { state, substate: typeof child === 'string' ? child : undefined };
  }
  throw new Error(`not a run snapshot value: ${JSON.stringify(value)}`);
}
