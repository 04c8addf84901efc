import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { anyJson, jsonObject } from '../../openapi/any-json.util';
import { RUN_STATUSES } from '../../cases/dto/case.response';

const DATE = { type: String, format: 'date-time' } as const;
const NULLABLE_DATE = { ...DATE, nullable: true } as const;

export class RunStepError {
  @ApiProperty({ example: 'ACTION_FAILED' })
  code: string;

  @ApiProperty({ example: 'GET https://registry.example/companies/123 answered 503' })
  message: string;
}

/** Why a run failed: the error of its failed step. */
export class RunError extends RunStepError {
  @ApiPropertyOptional({ example: 'registry' })
  stepId?: string;
}

export class RunStateEntry {
  @ApiProperty({ example: 'processing' })
  state: string;

  @ApiProperty(DATE)
  at: string;
}

export class RunEventEntry {
  @ApiProperty({ example: 'COLLECTION_COMPLETED' })
  type: string;

  @ApiProperty(DATE)
  at: string;

  @ApiProperty({ description: "Whether the run's state took the event (refused events are kept in the timeline too)" })
  accepted: boolean;
}

/** One execution of one step: a retried step has one execution with several attempts. */
export class RunStep {
  @ApiProperty({ format: 'uuid', description: 'The step execution (and its BullMQ job)' })
  id: string;

  @ApiProperty({ example: 'registry', description: "The step's id in the definition" })
  stepId: string;

  @ApiProperty({ example: 'processing' })
  state: string;

  @ApiProperty({ example: 'http.request' })
  action: string;

  @ApiProperty({ enum: ['queued', 'running', 'succeeded', 'failed', 'skipped'] })
  status: string;

  @ApiProperty({ type: 'integer' })
  attempts: number;

  @ApiProperty({ type: 'integer' })
  maxAttempts: number;

  @ApiProperty(anyJson("The action's result; templates read it as steps.<id>.output"))
  output: unknown;

  @ApiProperty({ type: RunStepError, nullable: true })
  error: RunStepError | null;

  @ApiProperty(DATE)
  queuedAt: string;

  @ApiProperty(NULLABLE_DATE)
  startedAt: string | null;

  @ApiProperty(NULLABLE_DATE)
  finishedAt: string | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'finishedAt - startedAt, in milliseconds' })
  durationMs: number | null;
}

export class RunContext {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'By step id: `{ output?, error? }`', example: { registry: { output: { name: 'Acme Ltd' } } } })
  steps: Record<string, unknown>;

  @ApiProperty(jsonObject('Values saved by steps with `saveAs`'))
  vars: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'The last event the run accepted: `{ type, payload }`' })
  event?: { type: string; payload: unknown };
}

/** RunView of libs/runs/src/run.view.ts: the run and its timeline. */
export class RunResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  caseId: string;

  @ApiProperty({ example: 'kyb-onboarding' })
  workflow: string;

  @ApiProperty({ type: 'integer', description: 'The definition version the run keeps until it ends' })
  version: number;

  @ApiProperty({ enum: RUN_STATUSES })
  status: string;

  @ApiProperty({ example: 'review', description: 'The definition state the run is in' })
  state: string;

  @ApiProperty({ type: RunContext })
  context: RunContext;

  @ApiProperty({ type: RunError, nullable: true, description: 'Set when the run is failed' })
  error: RunError | null;

  @ApiProperty({ type: [RunStateEntry], description: 'States entered, in order (a re-entered state counts again)' })
  states: RunStateEntry[];

  @ApiProperty({ type: [RunStep], description: 'Step executions in the order they were queued' })
  steps: RunStep[];

  @ApiProperty({ type: [RunEventEntry], description: 'Events sent to the run, accepted or not' })
  events: RunEventEntry[];

  @ApiProperty(DATE)
  createdAt: string;

  @ApiProperty(DATE)
  updatedAt: string;

  @ApiProperty(NULLABLE_DATE)
  endedAt: string | null;
}
