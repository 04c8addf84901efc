import { ApiProperty } from '@nestjs/swagger';

/** Written by the services in libs/cases; listed so that clients know what to expect, not closed. */
const EVENT_TYPES =
  'case_created, status_changed, assignee_changed, tag_added, tag_removed, case_approved, case_rejected, reuploads_requested, ' +
  'block_added, block_replaced, block_edited, block_decided, block_status_changed';

/** One append-only entry of a case's audit trail. */
export class CaseEvent {
  @ApiProperty({ example: '42', description: 'Increasing; a string because it is a 64-bit integer' })
  id: string;

  @ApiProperty({ type: String, format: 'date-time' })
  at: string;

  @ApiProperty({ example: 'status_changed', description: `What changed, e.g. ${EVENT_TYPES}` })
  type: string;

  @ApiProperty({ example: 'key:0b7e5f0e-8d0a-4a3e-9f57-4c1f8c1d2a10', description: '`key:<api key id>`, or `run:<run id>/step:<step id>` for a workflow step' })
  actor: string;

  @ApiProperty({ enum: ['reviewer', 'pipeline', 'workflow', 'system'] })
  source: string;

  @ApiProperty({ type: String, nullable: true, description: 'The value before (a status, an assignee, a tag, a block as JSON text)' })
  from: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The value after' })
  to: string | null;

  @ApiProperty({ type: String, nullable: true })
  reason: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The block key, for block changes' })
  block: string | null;
}

export class CaseEventPageResponse {
  @ApiProperty({ type: [CaseEvent], description: 'Oldest first' })
  items: CaseEvent[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}
