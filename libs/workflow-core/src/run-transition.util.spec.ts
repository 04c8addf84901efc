import { transition } from 'xstate';
import { compileWorkflow } from './compile-workflow.util';
import type { TransitionResult } from './engine.types';
import { acceptedEvents, describeState, startRun } from './run-transition.util';
import { kybDefinition } from './testing/kyb-definition.fixture';
import { failed, run, scheduledIds, send, succeeded } from './testing/run-events.fixture';

describe('run transitions on the KYB example', () => {
  const kyb = compileWorkflow(kybDefinition());
  const toReview = [
    succeeded('mark'),
    { type: 'COLLECTION_COMPLETED' },
    succeeded('pending'),
    succeeded('registry', { status: 'active' }),
  ];
  const inReview = (): TransitionResult => run(kyb, ...toReview, succeeded('to-review'));

  it('starts in the initial state with its first step scheduled', () => {
    const result = startRun(kyb);
    expect(result).toEqual({
      accepted: true,
      snapshot: { value: { collection: '__step_0' }, context: { steps: {}, vars: {} } },
      state: 'collection',
      status: 'running',
      statesEntered: ['collection'],
      stepsToSchedule: [
        {
          state: 'collection',
          stepIndex: 0,
          stepId: 'mark',
          action: 'case.updateStatus',
          params: { status: 'collection_flow' },
          retry: { maxAttempts: 1 },
          continueOnError: false,
        },
      ],
    });
  });

  it('waits in a state with `on` once its steps are done', () => {
    const result = run(kyb, succeeded('mark'));
    expect(result).toMatchObject({ state: 'collection', status: 'waiting', statesEntered: [], stepsToSchedule: [] });
    expect(result.snapshot.context.steps.mark).toEqual({});
    expect(acceptedEvents(kyb, result.snapshot)).toEqual(['COLLECTION_COMPLETED']);
  });

  it('runs steps one after another, carrying retry and continueOnError', () => {
    const processing = run(kyb, succeeded('mark'), { type: 'COLLECTION_COMPLETED' });
    expect(processing).toMatchObject({ state: 'processing', status: 'running', statesEntered: ['processing'] });
    expect(scheduledIds(processing)).toEqual(['pending']);

    const second = send(kyb, processing, succeeded('pending'));
    expect(second).toMatchObject({ state: 'processing', status: 'running', statesEntered: [] });
    expect(second.stepsToSchedule).toEqual([
      {
        state: 'processing',
        stepIndex: 1,
        stepId: 'registry',
        action: 'http.request',
        params: {
          method: 'GET',
          url: '{{ env.REGISTRY_URL }}/companies/{{ case.data.company.number }}',
          saveAs: 'registry',
        },
        retry: { maxAttempts: 3, backoff: { type: 'exponential', delayMs: 200 } },
        continueOnError: true,
      },
    ]);
  });

  it('takes `next` after the last step and records its output', () => {
    const result = run(kyb, ...toReview);
    expect(result).toMatchObject({ state: 'review', status: 'running', statesEntered: ['review'] });
    expect(scheduledIds(result)).toEqual(['to-review']);
    expect(result.snapshot.context.steps.registry).toEqual({ output: { status: 'active' } });
  });

  it('records the error of a continueOnError step and goes on', () => {
    const result = run(
      kyb,
      succeeded('mark'),
      { type: 'COLLECTION_COMPLETED' },
      succeeded('pending'),
      failed('registry'),
    );
    expect(result).toMatchObject({ state: 'review', status: 'running', statesEntered: ['review'] });
    expect(result.failure).toBeUndefined();
    expect(result.snapshot.context.steps.registry).toEqual({ error: { code: 'HTTP_500', message: 'registry down' } });
    expect(scheduledIds(result)).toEqual(['to-review']);
  });

  it('accepts a guarded event when the guard holds on the scope', () => {
    const result = send(kyb, inReview(), { type: 'RISK_CHANGED' }, { case: { data: { riskScore: 90 } } });
    expect(result).toMatchObject({
      accepted: true,
      state: 'escalated',
      status: 'running',
      statesEntered: ['escalated'],
    });
    expect(scheduledIds(result)).toEqual(['esc']);
    expect(JSON.stringify(result.snapshot)).not.toContain('riskScore'); // scope is read, never stored
  });

  it('keeps the accepted event in the context, for the new state\'s step templates', () => {
    const result = send(kyb, inReview(), { type: 'CASE_APPROVED', payload: { reason: 'documents verified' } });
    expect(result.snapshot.context.event).toEqual({ type: 'CASE_APPROVED', payload: { reason: 'documents verified' } });
    const stepDone = send(kyb, result, succeeded('notify'));
    expect(stepDone.snapshot.context.event).toEqual({ type: 'CASE_APPROVED', payload: { reason: 'documents verified' } });
  });

  it('refuses a guarded event when the guard fails, changing nothing', () => {
    const before = inReview();
    for (const scope of [{ case: { data: { riskScore: 50 } } }, undefined]) {
      const result = send(kyb, before, { type: 'RISK_CHANGED' }, scope);
      expect(result).toEqual({ ...before, accepted: false, statesEntered: [], stepsToSchedule: [] });
    }
  });

  it('refuses an event the state has no `on` for', () => {
    const before = inReview();
    for (const type of ['COLLECTION_COMPLETED', 'NOT_AN_EVENT', 'caseflow.run.retry']) {
      const result = send(kyb, before, { type });
      expect(result).toMatchObject({ accepted: false, state: 'review', status: 'waiting', stepsToSchedule: [] });
      expect(result.snapshot).toEqual(before.snapshot);
    }
  });

  it('completes a final state once its steps have finished, then accepts nothing', () => {
    const approved = send(kyb, inReview(), { type: 'CASE_APPROVED' });
    expect(approved).toMatchObject({ state: 'approved', status: 'running', statesEntered: ['approved'] });
    expect(scheduledIds(approved)).toEqual(['notify']);

    const done = send(kyb, approved, succeeded('notify'));
    expect(done).toMatchObject({ accepted: true, state: 'approved', status: 'completed', stepsToSchedule: [] });
    expect(acceptedEvents(kyb, done.snapshot)).toEqual([]);
    expect(send(kyb, done, { type: 'CASE_REJECTED' }).accepted).toBe(false);
  });

  it('completes a final state without steps on entry', () => {
    const result = send(kyb, inReview(), { type: 'CASE_REJECTED' });
    expect(result).toMatchObject({
      state: 'rejected',
      status: 'completed',
      statesEntered: ['rejected'],
      stepsToSchedule: [],
    });
  });

  it('refuses a stale step result', () => {
    const processing = run(kyb, succeeded('mark'), { type: 'COLLECTION_COMPLETED' }); // `pending` is due
    for (const event of [succeeded('registry'), succeeded('mark'), failed('to-review'), succeeded('nope')]) {
      const result = send(kyb, processing, event);
      expect(result).toMatchObject({ accepted: false, state: 'processing', status: 'running', stepsToSchedule: [] });
      expect(result.snapshot).toEqual(processing.snapshot);
    }
  });

  it('lets an event leave a state while a step is pending, reporting the interrupted step', () => {
    const review = run(kyb, ...toReview); // `to-review` is pending
    const result = send(kyb, review, { type: 'CASE_APPROVED' });
    expect(result).toMatchObject({ accepted: true, state: 'approved', status: 'running', statesEntered: ['approved'] });
    expect(scheduledIds(result)).toEqual(['notify']);
    expect(result.interruptedStep).toEqual({ state: 'review', stepIndex: 0, stepId: 'to-review' });
    expect(send(kyb, result, succeeded('to-review')).accepted).toBe(false); // its late result is stale
  });

  it('does not report an interrupted step for a step result', () => {
    expect(run(kyb, succeeded('mark')).interruptedStep).toBeUndefined();
  });

  it("matches xstate's own transition() call after call, however runs of one machine interleave", () => {
    const path = [...toReview, succeeded('to-review'), { type: 'CASE_APPROVED', payload: { by: 'reviewer' } }];
    let ours = startRun(kyb);
    let other = startRun(kyb);
    for (const event of path) {
      const stored = JSON.parse(JSON.stringify(ours.snapshot));
      const current = kyb.machine.resolveState({ value: stored.value, context: stored.context });
      const [expected, actions] = transition(kyb.machine, current, { ...event });
      ours = send(kyb, ours, event);
      // Another run of the same machine moves between two of this one's steps.
      other = send(kyb, other, path[0]);
      expect(ours.snapshot).toEqual(JSON.parse(JSON.stringify({ value: expected.value, context: expected.context })));
      expect(ours.statesEntered.length + ours.stepsToSchedule.length).toBeLessThanOrEqual(actions.length);
    }
    expect(ours.status).toBe('running');
    expect(scheduledIds(ours)).toEqual(['notify']);
    expect(ours.statesEntered).toEqual(['approved']);
  });

  it('gives snapshots that survive JSON and structuredClone unchanged', () => {
    const result = run(kyb, ...toReview);
    expect(JSON.parse(JSON.stringify(result.snapshot))).toEqual(result.snapshot);
    expect(structuredClone(result.snapshot)).toEqual(result.snapshot);
  });
});

describe('describeState', () => {
  const kyb = compileWorkflow(kybDefinition());
  const context = { steps: {}, vars: {} };

  it('derives state, status and step from a stored value', () => {
    expect(describeState(kyb, { value: { processing: '__step_1' }, context })).toEqual({
      state: 'processing',
      status: 'running',
      stepIndex: 1,
    });
    expect(describeState(kyb, { value: { processing: '__failed_0' }, context })).toEqual({
      state: 'processing',
      status: 'failed',
      stepIndex: 0,
    });
    expect(describeState(kyb, { value: { review: '__done' }, context })).toEqual({
      state: 'review',
      status: 'waiting',
    });
    expect(describeState(kyb, { value: { rejected: '__done' }, context })).toEqual({
      state: 'rejected',
      status: 'completed',
    });
  });

  it('throws on something that is not a snapshot value', () => {
    expect(() => describeState(kyb, { value: null, context })).toThrow(/not a run snapshot value/);
  });
});
