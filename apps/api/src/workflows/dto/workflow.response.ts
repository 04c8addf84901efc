import { ApiProperty, PickType } from '@nestjs/swagger';

/** The definition is described by the JSON Schema that configure-app.ts registers under this name. */
const DEFINITION = { allOf: [{ $ref: '#/components/schemas/WorkflowDefinition' }] };
const DATE = { type: String, format: 'date-time' } as const;

export class DefinitionProblem {
  @ApiProperty({ example: '/states/review/on/CASE_APPROVED', description: 'JSON pointer into the definition' })
  path: string;

  @ApiProperty({ example: 'unknown target state "aproved"' })
  message: string;
}

export class WorkflowValidationResponse {
  @ApiProperty()
  valid: boolean;

  @ApiProperty({ type: [DefinitionProblem], description: 'Every problem; empty when valid' })
  problems: DefinitionProblem[];
}

export class WorkflowPublishResponse {
  @ApiProperty({ example: 'kyb-onboarding' })
  key: string;

  @ApiProperty({ type: 'integer', example: 3, description: 'The new immutable version' })
  version: number;
}

export class WorkflowSummary {
  @ApiProperty({ example: 'kyb-onboarding' })
  key: string;

  @ApiProperty({ example: 'KYB onboarding' })
  name: string;

  @ApiProperty({ type: 'integer' })
  latestVersion: number;

  @ApiProperty(DATE)
  createdAt: string;

  @ApiProperty(DATE)
  updatedAt: string;
}

export class WorkflowListResponse {
  @ApiProperty({ type: [WorkflowSummary], description: 'By key' })
  items: WorkflowSummary[];
}

export class WorkflowVersionSummary {
  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty(DATE)
  publishedAt: string;

  @ApiProperty({ example: 'key:0b7e5f0e-8d0a-4a3e-9f57-4c1f8c1d2a10', description: 'Who published it: `key:<api key id>`, or `file:<name>` for the workflows folder published at start-up' })
  publishedBy: string;
}

export class WorkflowResponse extends PickType(WorkflowSummary, ['key', 'name', 'latestVersion'] as const) {
  @ApiProperty({ ...DEFINITION, description: 'The latest version' })
  definition: unknown;

  @ApiProperty({ type: [WorkflowVersionSummary], description: 'Oldest first' })
  versions: WorkflowVersionSummary[];
}

export class WorkflowVersionResponse {
  @ApiProperty({ example: 'kyb-onboarding' })
  key: string;

  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty(DEFINITION)
  definition: unknown;

  @ApiProperty(DATE)
  publishedAt: string;

  @ApiProperty({ example: 'key:0b7e5f0e-8d0a-4a3e-9f57-4c1f8c1d2a10' })
  publishedBy: string;
}
