import { Injectable, Module } from '@nestjs/common';
import { ActionContext, WorkflowAction, WorkflowActionHandler } from '@app/actions';

/**
 * An action that fails its first `failTimes` calls for a step of a run (across attempts and
 * retries of the run), then succeeds: what an unreliable provider does. It is registered like any
 * other action, which also shows that adding one needs no engine change.
 */
@Injectable()
@WorkflowActionHandler()
export class FlakyTestAction implements WorkflowAction {
  readonly name = 'test.flaky';
  readonly transactional = false;
  readonly paramsSchema = {
    type: 'object',
    additionalProperties: false,
    properties: { failTimes: { type: 'integer', minimum: 0 }, code: { type: 'string' } },
  };
  /** Calls seen, by `runId/stepId`: the tests read it to count real attempts. */
  readonly calls = new Map<string, number>();

  async execute(context: ActionContext) {
    const key = `${context.runId}/${context.stepId}`;
    const call = (this.calls.get(key) ?? 0) + 1;
    this.calls.set(key, call);
    const failTimes = Number(context.params.failTimes ?? Number.MAX_SAFE_INTEGER);
    if (call <= failTimes) {
      throw Object.assign(new Error(`provider unavailable (call ${call})`), { code: String(context.params.code ?? 'PROVIDER_DOWN') });
    }
    return { ok: true, call, attempt: context.attempt };
  }
}

@Module({ providers: [FlakyTestAction], exports: [FlakyTestAction] })
export class TestActionsModule {}
