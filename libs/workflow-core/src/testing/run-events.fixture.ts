import { type CompiledWorkflow } from '../compile-workflow.util';
import type { EngineEvent, GuardScope, TransitionResult } from '../engine.types';
import { applyEvent, startRun } from '../run-transition.util';

/** Event builders and a driver for the transition specs. */

export const succeeded = (stepId: string, output?: unknown, saveAs?: string): EngineEvent => ({
  type: 'caseflow.step.succeeded',
  stepId,
  ...(output === undefined ? {} : { output }),
  ...(saveAs === undefined ? {} : { saveAs }),
});
export const failed = (stepId: string, code = 'HTTP_500', message = 'registry down'): EngineEvent => ({
  type: 'caseflow.step.failed',
  stepId,
  error: { code, message },
});
export const retry: EngineEvent = { type: 'caseflow.run.retry' };

/** Applies an event the way the runtime will: to a snapshot that went through JSON (PostgreSQL). */
export function send(
  compiled: CompiledWorkflow,
  from: TransitionResult,
  event: EngineEvent,
  scope?: GuardScope,
): TransitionResult {
  return applyEvent(compiled, JSON.parse(JSON.stringify(from.snapshot)), event, scope);
}

/** Sends events in turn, asserting each is accepted. */
export function run(compiled: CompiledWorkflow, ...events: EngineEvent[]): TransitionResult {
  let result = startRun(compiled);
  for (const event of events) {
    result = send(compiled, result, event);
    expect(result.accepted).toBe(true);
  }
  return result;
}

export const scheduledIds = (result: TransitionResult): string[] => result.stepsToSchedule.map((s) => s.stepId);
