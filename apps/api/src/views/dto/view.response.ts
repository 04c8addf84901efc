import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FILTER_OPS } from '@app/cases';
import { anyJson } from '../../openapi/any-json.util';

/** A condition on the case's `data` (libs/cases/src/case-filter.ts). */
export class DataCondition {
  @ApiProperty({ example: 'company.country', description: 'Dotted path into the case data' })
  path: string;

  @ApiProperty({ enum: FILTER_OPS })
  op: string;

  @ApiPropertyOptional(anyJson('eq: a scalar; in: a list of scalars; contains: a scalar; absent for exists', { example: 'HK' }))
  value?: unknown;
}

/** A stored filter as parseCaseFilter normalised it: fields AND together. */
export class CaseFilter {
  @ApiPropertyOptional({ type: [String], description: 'Any of these workflow keys' })
  workflow?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Any of these statuses' })
  status?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Any of these case types' })
  type?: string[];

  @ApiPropertyOptional({ type: [String], description: 'All of these tags' })
  tag?: string[];

  @ApiPropertyOptional({ type: 'array', items: { type: 'string', nullable: true }, description: 'Any of these assignees; null means unassigned' })
  assignee?: Array<string | null>;

  @ApiPropertyOptional({ type: [DataCondition], description: 'All of these hold' })
  data?: DataCondition[];
}

/** ViewSummary of libs/views: what POST /views answers (no count). */
export class ViewResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'HK companies in review' })
  name: string;

  @ApiProperty({ type: CaseFilter })
  filter: CaseFilter;

  @ApiProperty({ type: 'integer', description: 'Sidebar order, ascending' })
  position: number;

  @ApiProperty({ example: 'key:0b7e5f0e-8d0a-4a3e-9f57-4c1f8c1d2a10' })
  createdBy: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;
}

export class CountedViewResponse extends ViewResponse {
  @ApiProperty({ type: 'integer', description: 'Matching cases, counted up to 10,000' })
  count: number;

  @ApiProperty({ description: 'True when the count stopped at its cap: read "10,000+"' })
  capped: boolean;
}

export class ViewListResponse {
  @ApiProperty({ type: [CountedViewResponse], description: 'In sidebar order' })
  items: CountedViewResponse[];
}
