import { assign, setup } from 'xstate';

import type {
  GuardedTarget,
  JsonLogic,
  StateDefinition,
  TransitionDefinition,
  WorkflowDefinition,
} from './definition.types';
import type { EngineEvent, GuardScope, RunContext, StepError } from './engine.types';
import { evaluateGuard } from './guard.util';

/**
 * Compiles a definition to an XState machine. Each definition state S is a compound state whose
 * children are `__step_<i>` (one per step, in order), `__failed_<i>` (a step failed with nowhere
 * to go) and `__done`. The machine never does anything itself: entering `__step_<i>` emits a
 * `scheduleStep` marker action that the pure `transition()` hands back, and the runtime turns it
 * into a job. Step results come back as `caseflow.step.*` events. Run status is derived from the
 * substate (see run-transition.util.ts), so no xstate `final` state is used.
 */

export const MACHINE_ID = 'wf';
export const STEP_SUCCEEDED = 'caseflow.step.succeeded';
export const STEP_FAILED = 'caseflow.step.failed';
export const RUN_RETRY = 'caseflow.run.retry';
export const DONE_SUBSTATE = '__done';
export const stepSubstate = (index: number): string => `__step_${index}`;
export const failedSubstate = (index: number): string => `__failed_${index}`;

/** Events as the machine sees them: guards read the case and run from the attached scope. */
export type MachineEvent = EngineEvent & { scope?: GuardScope };

export interface StepMarkerParams {
  state: string;
  stepIndex: number;
}

export interface EnterStateParams {
  state: string;
}

const workflowSetup = setup({
  types: {} as { context: RunContext; events: MachineEvent },
  guards: {
    isStep: ({ event }, params: { stepId: string }) => 'stepId' in event && event.stepId === params.stepId,
    jsonLogic: ({ context, event }, params: { logic: JsonLogic }) =>
      evaluateGuard(params.logic, guardScope(context, event)),
  },
  actions: {
    // Markers: executing them does nothing; their presence in transition()'s actions is the signal.
    enterState: (_args, _params: EnterStateParams) => undefined,
    scheduleStep: (_args, _params: StepMarkerParams) => undefined,
    recordOutput: assign(({ context, event }, params: { stepId: string }) => {
      const output = 'output' in event ? event.output : undefined;
      const saveAs = 'saveAs' in event && typeof event.saveAs === 'string' ? event.saveAs : undefined;
      return {
        steps: { ...context.steps, [params.stepId]: output === undefined ? {} : { output } },
        vars: saveAs === undefined ? context.vars : { ...context.vars, [saveAs]: output },
      };
    }),
    recordError: assign(({ context, event }, params: { stepId: string }) => ({
      steps: { ...context.steps, [params.stepId]: { error: stepError(event) } },
    })),
    // The event that brought the run into its state: step templates read it as `event.*`.
    recordEvent: assign(({ event }) => ({
      event: { type: event.type, payload: 'payload' in event ? (event.payload ?? null) : null },
    })),
  },
});

function buildMachine(definition: WorkflowDefinition) {
  const states = Object.fromEntries(
    Object.entries(definition.states).map(([name, state]) => [name, compileState(name, state)]),
  );
  return workflowSetup.createMachine({
    id: MACHINE_ID,
    initial: definition.initial,
    context: () => ({ steps: {}, vars: {} }),
    states,
  });
}

export type WorkflowMachine = ReturnType<typeof buildMachine>;

export interface CompiledWorkflow {
  definition: WorkflowDefinition;
  machine: WorkflowMachine;
}

/**
 * Builds the machine for a definition that passed validateDefinition (an unknown target makes
 * xstate throw here). Nothing is cached: callers keep one CompiledWorkflow per definition version.
 */
export function compileWorkflow(definition: WorkflowDefinition): CompiledWorkflow {
  return { definition, machine: buildMachine(definition) };
}

type StateConfig = Parameters<typeof workflowSetup.createStateConfig>[0];

function compileState(name: string, state: StateDefinition): StateConfig {
  const steps = state.steps ?? [];
  const isFinal = state.type === 'final';
  const children: Record<string, StateConfig> = {};

  steps.forEach((step, i) => {
    const isThisStep = { type: 'isStep', params: { stepId: step.id } } as const;
    const record = { params: { stepId: step.id } };
    const after = i + 1 < steps.length ? stepSubstate(i + 1) : DONE_SUBSTATE;
    const failed = step.continueOnError
      ? { target: after }
      : state.onError !== undefined && !isFinal
        ? { target: topLevel(state.onError), reenter: true }
        : { target: failedSubstate(i) };

    children[stepSubstate(i)] = {
      entry: { type: 'scheduleStep', params: { state: name, stepIndex: i } },
      on: {
        [STEP_SUCCEEDED]: { guard: isThisStep, target: after, actions: { type: 'recordOutput', ...record } },
        [STEP_FAILED]: { guard: isThisStep, ...failed, actions: { type: 'recordError', ...record } },
      },
    };
    if (failed.target === failedSubstate(i)) {
      // Re-entering __step_<i> fires its entry again, so the same step is scheduled anew.
      children[failedSubstate(i)] = { on: { [RUN_RETRY]: { target: stepSubstate(i) } } };
    }
  });

  // A final state's `next`/`on` are rejected by the validator; ignoring them here keeps a
  // completed run terminal even if an unvalidated definition slipped through.
  children[DONE_SUBSTATE] =
    state.next !== undefined && !isFinal ? { always: { target: topLevel(state.next), reenter: true } } : {};

  return {
    initial: steps.length > 0 ? stepSubstate(0) : DONE_SUBSTATE,
    entry: { type: 'enterState', params: { state: name } },
    states: children,
    on: isFinal ? {} : compileOn(state.on ?? {}),
  };
}

// Defined on the compound state, so events are accepted while steps are pending too; leaving
// the state cancels them. reenter makes a transition to the state itself run its steps again.
function compileOn(on: Record<string, TransitionDefinition>): NonNullable<StateConfig['on']> {
  return Object.fromEntries(
    Object.entries(on).map(([event, transition]) => [
      event,
      toGuardedTargets(transition).map(({ target, guard }) => ({
        target: topLevel(target),
        reenter: true,
        actions: { type: 'recordEvent' as const },
        ...(guard === undefined ? {} : { guard: { type: 'jsonLogic' as const, params: { logic: guard } } }),
      })),
    ]),
  );
}

function toGuardedTargets(transition: TransitionDefinition): GuardedTarget[] {
  if (typeof transition === 'string') return [{ target: transition }];
  return Array.isArray(transition) ? transition : [transition];
}

function topLevel(state: string): string {
  return `#${MACHINE_ID}.${state}`;
}

/** The data a guard reads: `{ case, run, steps, vars, event }`. */
export function guardScope(context: RunContext, event: MachineEvent): Record<string, unknown> {
  return {
    case: event.scope?.case,
    run: event.scope?.run,
    steps: context.steps,
    vars: context.vars,
    event: { type: event.type, payload: 'payload' in event ? event.payload : undefined },
  };
}

function stepError(event: MachineEvent): StepError {
  const error = 'error' in event ? (event.error as Partial<StepError> | undefined) : undefined;
  return {
    code: typeof error?.code === 'string' ? error.code : 'STEP_FAILED',
    message: typeof error?.message === 'string' ? error.message : 'step failed',
  };
}
