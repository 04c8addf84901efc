import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CASE_ACTIONS, STATUS_CATEGORIES } from '@app/statuses';

export class StatusResponse {
  @ApiProperty({ example: 'manual_review' })
  key: string;

  @ApiProperty({ example: 'Manual review' })
  label: string;

  @ApiProperty({ enum: STATUS_CATEGORIES })
  category: string;

  @ApiProperty({ description: 'A terminal status offers no actions and is left only with `reopen`' })
  terminal: boolean;

  @ApiProperty({ description: 'New cases of the set start here (one per set)' })
  initial: boolean;

  @ApiProperty({ enum: CASE_ACTIONS, isArray: true, description: 'The case actions allowed while a case is in this status' })
  actions: string[];
}

/** What POST /admin/statuses answers: the status and the set it belongs to. */
export class CreatedStatusResponse extends StatusResponse {
  @ApiProperty({ example: 'kyb' })
  set: string;
}

/** Where each case action leads in a set; an action without a target cannot be taken (409 ACTION_HAS_NO_TARGET). */
export class ActionTargets {
  @ApiPropertyOptional({ example: 'approved' })
  approve?: string;

  @ApiPropertyOptional({ example: 'declined' })
  reject?: string;

  @ApiPropertyOptional({ example: 'pending' })
  request_reuploads?: string;
}

export class StatusSetResponse {
  @ApiProperty({ example: 'kyb' })
  key: string;

  @ApiProperty({ example: 'KYB onboarding' })
  label: string;

  @ApiProperty({ description: 'Shipped with every organization (`default`, `kyb`)' })
  builtIn: boolean;

  @ApiProperty({ type: ActionTargets })
  actionTargets: ActionTargets;

  @ApiProperty({ type: [StatusResponse], description: 'In set order' })
  statuses: StatusResponse[];
}

export class StatusSetListResponse {
  @ApiProperty({ type: [StatusSetResponse] })
  items: StatusSetResponse[];
}
