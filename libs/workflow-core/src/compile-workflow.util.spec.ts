import { createActor } from 'xstate';

import { compileWorkflow, type CompiledWorkflow } from './compile-workflow.util';
import type { WorkflowDefinition } from './definition.types';
import type { GuardScope } from './engine.types';
import { applyEvent, describeState, startRun } from './run-transition.util';
import { kybDefinition } from './testing/kyb-definition.fixture';
import { failed, retry, run, scheduledIds, send, succeeded } from './testing/run-events.fixture';

describe('compileWorkflow', () => {
  it('keeps the definition and builds a machine whose top-level states are the definition states', () => {
    const definition = kybDefinition();
    const compiled = compileWorkflow(definition);
    expect(compiled.definition).toBe(definition);
    expect(compiled.machine.id).toBe('wf');
    expect(Object.keys(compiled.machine.root.states)).toEqual(Object.keys(definition.states));
  });

  it('gives each state one substate per step, failure substates where a failure has nowhere to go, and __done', () => {
    const { machine } = compileWorkflow(kybDefinition());
    // registry has continueOnError, so only `pending` can leave processing failed.
    expect(Object.keys(machine.root.states.processing.states)).toEqual([
      '__step_0',
      '__failed_0',
      '__step_1',
      '__done',
    ]);
    expect(Object.keys(machine.root.states.rejected.states)).toEqual(['__done']);
    expect(machine.root.states.processing.config.initial).toBe('__step_0');
    expect(machine.root.states.rejected.config.initial).toBe('__done');
  });

  it('builds a fresh machine per call, with fresh context per run', () => {
    const a = compileWorkflow(kybDefinition());
    const b = compileWorkflow(kybDefinition());
    expect(a.machine).not.toBe(b.machine);
    const first = startRun(a);
    first.snapshot.context.vars.leak = true;
    expect(startRun(a).snapshot.context).toEqual({ steps: {}, vars: {} });
  });

  it('throws on a definition the validator would reject for an unknown target', () => {
    const definition: WorkflowDefinition = { key: 'k', name: 'n', initial: 'a', states: { a: { next: 'nowhere' } } };
    expect(() => compileWorkflow(definition)).toThrow();
  });

  it('has marker actions that do nothing when a live actor executes them', () => {
    const actor = createActor(compileWorkflow(kybDefinition()).machine);
    actor.start();
    actor.send({ type: 'caseflow.step.succeeded', stepId: 'mark' });
    actor.send({ type: 'COLLECTION_COMPLETED' });
    expect(actor.getSnapshot().value).toEqual({ processing: '__step_0' });
    actor.stop();
  });

  it('re-enters a state that names itself as next, so its steps run again', () => {
    const compiled = compileWorkflow({
      key: 'poll',
      name: 'Poll',
      initial: 'poll',
      states: {
        poll: { steps: [{ id: 'check', action: 'x' }], next: 'poll', on: { STOP: 'end' } },
        end: { type: 'final' },
      },
    });
    const result = applyEvent(compiled, startRun(compiled).snapshot, {
      type: 'caseflow.step.succeeded',
      stepId: 'check',
    });
    expect(result.statesEntered).toEqual(['poll']);
    expect(result.stepsToSchedule.map((s) => s.stepId)).toEqual(['check']);
  });

  it('re-enters a state that is its own onError target', () => {
    const compiled = compileWorkflow({
      key: 'k',
      name: 'n',
      initial: 's',
      states: { s: { steps: [{ id: 'a', action: 'x' }], onError: 's', on: { STOP: 'end' } }, end: { type: 'final' } },
    });
    const result = applyEvent(compiled, startRun(compiled).snapshot, {
      type: 'caseflow.step.failed',
      stepId: 'a',
      error: { code: 'E', message: 'm' },
    });
    expect(result).toMatchObject({ state: 's', status: 'running', statesEntered: ['s'] });
    expect(result.snapshot.context.steps.a).toEqual({ error: { code: 'E', message: 'm' } });
  });

  it('ignores next and on in a final state, keeping a completed run terminal', () => {
    const compiled = compileWorkflow({
      key: 'k',
      name: 'n',
      initial: 'end',
      states: { end: { type: 'final', next: 'other', on: { GO: 'other' } }, other: { on: { GO: 'end' } } },
    });
    const start = startRun(compiled);
    expect(start).toMatchObject({ state: 'end', status: 'completed' });
    expect(applyEvent(compiled, start.snapshot, { type: 'GO' }).accepted).toBe(false);
  });
});

describe('definition constructs, as runs', () => {
  const definition = (states: WorkflowDefinition['states'], initial = Object.keys(states)[0]): CompiledWorkflow =>
    compileWorkflow({ key: 'test', name: 'Test', initial, states });

  it('follows onError when a step fails for good', () => {
    const wf = definition({
      fetch: {
        steps: [
          { id: 'a', action: 'x' },
          { id: 'b', action: 'x' },
        ],
        onError: 'manual',
        next: 'done',
      },
      manual: { steps: [{ id: 'ask', action: 'x' }], on: { RESOLVED: 'done' } },
      done: { type: 'final' },
    });
    const result = run(wf, failed('a', 'TIMEOUT', 'too slow'));
    expect(result).toMatchObject({ state: 'manual', status: 'running', statesEntered: ['manual'] });
    expect(result.failure).toBeUndefined();
    expect(result.snapshot.context.steps.a).toEqual({ error: { code: 'TIMEOUT', message: 'too slow' } });
    expect(scheduledIds(result)).toEqual(['ask']);
  });

  it('goes on with the next step of the same state after a continueOnError failure', () => {
    const wf = definition({
      s: {
        steps: [
          { id: 'a', action: 'x', continueOnError: true },
          { id: 'b', action: 'x' },
        ],
        next: 'end',
      },
      end: { type: 'final' },
    });
    const result = run(wf, failed('a'));
    expect(result).toMatchObject({ state: 's', status: 'running' });
    expect(scheduledIds(result)).toEqual(['b']);
    expect(result.snapshot.context.steps.a.error).toEqual({ code: 'HTTP_500', message: 'registry down' });
    expect(run(wf, failed('a'), succeeded('b'))).toMatchObject({
      state: 'end',
      status: 'completed',
      statesEntered: ['end'],
    });
  });

  it('fails the run on an unhandled failure, and retry schedules the same step again', () => {
    const wf = definition({
      s: {
        steps: [
          { id: 'a', action: 'x' },
          { id: 'b', action: 'x', retry: { maxAttempts: 2 } },
        ],
        next: 'end',
      },
      end: { type: 'final' },
    });
    const failedRun = run(wf, succeeded('a'), failed('b', 'E_BAD', 'bad input'));
    expect(failedRun).toMatchObject({ state: 's', status: 'failed', stepsToSchedule: [] });
    expect(failedRun.failure).toEqual({ stepId: 'b', error: { code: 'E_BAD', message: 'bad input' } });
    expect(describeState(wf, failedRun.snapshot)).toEqual({ state: 's', status: 'failed', stepIndex: 1 });
    expect(send(wf, failedRun, succeeded('b')).accepted).toBe(false);

    const retried = send(wf, failedRun, retry);
    expect(retried).toMatchObject({ accepted: true, state: 's', status: 'running', statesEntered: [] });
    expect(retried.stepsToSchedule).toEqual([
      {
        state: 's',
        stepIndex: 1,
        stepId: 'b',
        action: 'x',
        params: {},
        retry: { maxAttempts: 2 },
        continueOnError: false,
      },
    ]);
    expect(send(wf, retried, succeeded('b'))).toMatchObject({ state: 'end', status: 'completed' });
    expect(send(wf, retried, retry).accepted).toBe(false); // only a failed run can be retried
  });

  it('re-enters a state on a transition to itself, scheduling its steps again', () => {
    const wf = definition({
      review: { steps: [{ id: 'load', action: 'x' }], on: { REFRESH: 'review', DONE: 'end' } },
      end: { type: 'final' },
    });
    const waiting = run(wf, succeeded('load', { n: 1 }));
    const refreshed = send(wf, waiting, { type: 'REFRESH' });
    expect(refreshed).toMatchObject({ state: 'review', status: 'running', statesEntered: ['review'] });
    expect(scheduledIds(refreshed)).toEqual(['load']);
    expect(refreshed.snapshot.context.steps.load).toEqual({ output: { n: 1 } }); // kept until overwritten

    const midStep = send(wf, refreshed, { type: 'REFRESH' });
    expect(scheduledIds(midStep)).toEqual(['load']);
    expect(midStep.interruptedStep).toEqual({ state: 'review', stepIndex: 0, stepId: 'load' });
  });

  it('saves an output under vars with saveAs, where guards can read it', () => {
    const wf = definition({
      check: {
        steps: [{ id: 'registry', action: 'http.request' }],
        on: {
          DECIDE: [
            { target: 'dormant', guard: { '==': [{ var: 'vars.company.status' }, 'dormant'] } },
            { target: 'active', guard: { '==': [{ var: 'steps.registry.output.status' }, 'active'] } },
          ],
        },
      },
      dormant: { type: 'final' },
      active: { type: 'final' },
    });
    const checked = run(wf, succeeded('registry', { status: 'active' }, 'company'));
    expect(checked.snapshot.context).toEqual({
      steps: { registry: { output: { status: 'active' } } },
      vars: { company: { status: 'active' } },
    });
    expect(send(wf, checked, { type: 'DECIDE' })).toMatchObject({ state: 'active', status: 'completed' });
  });

  it('tries a list of guarded targets in order and reads the event payload', () => {
    const wf = definition({
      review: {
        on: {
          DECIDE: [
            { target: 'fraud', guard: { '==': [{ var: 'event.payload.reason' }, 'fraud'] } },
            { target: 'run', guard: { '==': [{ var: 'run.id' }, 'r1'] } },
            { target: 'other' },
          ],
        },
      },
      fraud: { type: 'final' },
      run: { type: 'final' },
      other: { type: 'final' },
    });
    const start = startRun(wf);
    expect(start).toMatchObject({ state: 'review', status: 'waiting', stepsToSchedule: [] });
    const decide = (payload: unknown, scope?: GuardScope): string =>
      send(wf, start, { type: 'DECIDE', payload }, scope).state;
    expect(decide({ reason: 'fraud' }, { run: { id: 'r1' } })).toBe('fraud');
    expect(decide({ reason: 'other' }, { run: { id: 'r1' } })).toBe('run');
    expect(decide({})).toBe('other');
  });

  it('passes through states without steps in one transition, in order', () => {
    const wf = definition({
      a: { next: 'b' },
      b: { next: 'c' },
      c: { steps: [{ id: 's', action: 'x', params: { p: 1 } }], next: 'end' },
      end: { type: 'final' },
    });
    const result = startRun(wf);
    expect(result).toMatchObject({ state: 'c', status: 'running', statesEntered: ['a', 'b', 'c'] });
    expect(result.stepsToSchedule).toEqual([
      {
        state: 'c',
        stepIndex: 0,
        stepId: 's',
        action: 'x',
        params: { p: 1 },
        retry: { maxAttempts: 1 },
        continueOnError: false,
      },
    ]);
  });

  it('completes at once when the initial state is final without steps', () => {
    expect(startRun(definition({ only: { type: 'final' } }))).toMatchObject({
      state: 'only',
      status: 'completed',
      statesEntered: ['only'],
      stepsToSchedule: [],
    });
  });

  it('hands out params the runtime may change without touching the definition', () => {
    const wf = definition({
      s: { steps: [{ id: 'a', action: 'x', params: { nested: { v: 1 } } }], next: 'e' },
      e: { type: 'final' },
    });
    const [step] = startRun(wf).stepsToSchedule;
    (step.params.nested as { v: number }).v = 2;
    expect(wf.definition.states.s.steps![0].params).toEqual({ nested: { v: 1 } });
  });

  it('keeps running two compiled versions independently', () => {
    const v1 = definition({ s: { steps: [{ id: 'a', action: 'x' }], next: 'e' }, e: { type: 'final' } });
    const v2 = definition({ s: { steps: [{ id: 'b', action: 'x' }], next: 'e' }, e: { type: 'final' } });
    const r1 = startRun(v1);
    expect(send(v1, r1, succeeded('a')).status).toBe('completed');
    expect(send(v2, r1, succeeded('a')).accepted).toBe(false); // same value, other version's step ids
  });
});
