import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CASE_ACTION_EVENTS } from '@app/cases';
import { CASE_ACTIONS } from '@app/statuses';
import { CaseDetailResponse } from './case.response';

export class CaseDecision {
  @ApiProperty({ format: 'uuid' })
  caseId: string;

  @ApiProperty({ enum: CASE_ACTIONS })
  action: string;

  @ApiProperty({ example: 'manual_review', description: 'The status before the action' })
  from: string;

  @ApiProperty({ example: 'approved', description: "Where the action leads in the case's status set" })
  to: string;

  @ApiPropertyOptional({ type: 'integer', description: 'request_reuploads only: how many blocks flagged `reupload_needed` are now `pending_reupload`' })
  reuploadsRequested?: number;
}

export class CaseActionRun {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: Object.values(CASE_ACTION_EVENTS), description: 'The event sent to the run' })
  event: string;

  @ApiProperty({ description: "Whether the run's state took the event; the action stands either way and the timeline records it" })
  accepted: boolean;
}

/** CaseActionResult of libs/runs/src/case-actions.service.ts. */
export class CaseActionResponse {
  @ApiProperty({ type: CaseDetailResponse, description: 'The case after the action' })
  case: CaseDetailResponse;

  @ApiProperty({ type: CaseDecision })
  decision: CaseDecision;

  @ApiProperty({ type: CaseActionRun, nullable: true, description: "The case's active run and the event it was sent; null when the case has no active run" })
  run: CaseActionRun | null;
}
