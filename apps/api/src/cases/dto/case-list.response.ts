import { ApiProperty } from '@nestjs/swagger';
import { jsonObject } from '../../openapi/any-json.util';

const DATE = { type: String, format: 'date-time' } as const;

/** CaseListRow: a case as the list shows it, without blocks, runs or actions (one query per page). */
export class CaseListItem {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'kyb' })
  type: string;

  @ApiProperty({ example: 'manual_review' })
  status: string;

  @ApiProperty({ example: 'kyb' })
  statusSet: string;

  @ApiProperty({ type: String, nullable: true, example: 'kyb-onboarding', description: 'Key of the workflow last started on the case' })
  workflow: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'queue:senior-review', description: 'A reviewer, `queue:<name>`, or null' })
  assignee: string | null;

  @ApiProperty({ type: [String], example: ['high-risk'] })
  tags: string[];

  @ApiProperty(jsonObject("The entity's own JSON, as guards, templates and views read it"))
  data: Record<string, unknown>;

  @ApiProperty({ type: 'integer', description: 'Bumped by every change; send it back as If-Match (the ETag) or `version`' })
  version: number;

  @ApiProperty(DATE)
  createdAt: string;

  @ApiProperty(DATE)
  updatedAt: string;
}

export class CaseListPageResponse {
  @ApiProperty({ type: [CaseListItem], description: 'Newest first' })
  items: CaseListItem[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}
