import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BLOCK_ACTIONS, BLOCK_STATUSES, BLOCK_TYPES } from '@app/cases';
import type { RunStatusValue } from '@app/runs';
import { CASE_ACTIONS } from '@app/statuses';
import { anyJson } from '../../openapi/any-json.util';
import { CaseListItem } from './case-list.response';

const DATE = { type: String, format: 'date-time' } as const;

/** Every run status, listed through a Record so that a status added to RunStatusValue fails to compile here. */
export const RUN_STATUSES = Object.keys({ running: 1, waiting: 1, completed: 1, failed: 1, cancelled: 1 } satisfies Record<RunStatusValue, 1>);

export class BlockDecision {
  @ApiProperty({ enum: BLOCK_ACTIONS })
  action: string;

  @ApiProperty({ example: 'key:0b7e5f0e-8d0a-4a3e-9f57-4c1f8c1d2a10', description: 'The actor: `key:<api key id>`' })
  by: string;

  @ApiProperty(DATE)
  at: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  reason?: string | null;
}

export class CaseBlock {
  @ApiProperty({ example: 'passport' })
  key: string;

  @ApiProperty({ enum: BLOCK_TYPES })
  type: string;

  @ApiProperty({ example: 'Passport' })
  title: string;

  @ApiProperty(anyJson('The block content'))
  data: unknown;

  @ApiProperty({ enum: BLOCK_STATUSES, nullable: true, description: 'null until a reviewer or a workflow sets it' })
  status: string | null;

  @ApiProperty({ type: BlockDecision, nullable: true, description: "The last reviewer decision on this block, kept whatever the case's decision" })
  decision: BlockDecision | null;
}

export class ChildCase {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'person' })
  type: string;

  @ApiProperty({ example: 'open' })
  status: string;
}

export class CaseRunSummary {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'kyb-onboarding' })
  workflow: string;

  @ApiProperty({ type: 'integer', description: 'The definition version the run uses until it ends' })
  version: number;

  @ApiProperty({ enum: RUN_STATUSES })
  status: string;

  @ApiProperty({ example: 'review', description: 'The definition state the run is in' })
  state: string;
}

/**
 * A case as every route answers it (libs/cases/src/case.view.ts plus its runs): the list item's
 * fields and what only a single case shows.
 */
export class CaseDetailResponse extends CaseListItem {
  @ApiProperty({ enum: CASE_ACTIONS, isArray: true, description: 'The case actions the current status allows; others are refused with 409' })
  availableActions: string[];

  @ApiProperty({ type: [CaseBlock] })
  blocks: CaseBlock[];

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  parentId: string | null;

  @ApiProperty({ type: [ChildCase], description: 'Cases started by this case (workflow.startChildren), oldest first' })
  children: ChildCase[];

  @ApiProperty({ type: [CaseRunSummary], description: "The case's runs, oldest first" })
  runs: CaseRunSummary[];
}
