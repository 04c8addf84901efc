import { ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Transform, TransformFnParams } from 'class-transformer';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from './list-query.dto';

/** `status=a&status=b` and `status=a,b` both mean [a, b]; an empty value means no condition. */
function toList({ value }: TransformFnParams): unknown {
  if (value === undefined) return undefined;
  const list = (Array.isArray(value) ? value : [value]).flatMap((item) => (typeof item === 'string' ? item.split(',') : [item]));
  const values = list.map((item) => (typeof item === 'string' ? item.trim() : item)).filter((item) => item !== '');
  return values.length ? values : undefined;
}

const listDoc = (what: string, example: string): ApiPropertyOptions => ({
  type: String,
  isArray: true,
  description: `${what}; repeat the parameter or separate values by commas`,
  example,
});

/**
 * GET /v1/cases. Besides these, `data.<path>=<value>` parameters (e.g. `data.company.country=HK`)
 * add equality conditions on the case's data; the pipe takes them out before this DTO is checked.
 */
/** The list's filters; cursor and limit come from the shared page query. */
export class CaseListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: "A saved view: its filter ANDs with the other parameters" })
  @IsOptional()
  @IsUUID()
  view?: string;

  @ApiPropertyOptional(listDoc('Any of these workflow keys', 'kyb-onboarding'))
  @IsOptional()
  @Transform(toList)
  @IsString({ each: true })
  workflow?: string[];

  @ApiPropertyOptional(listDoc('Any of these statuses', 'manual_review,revisions'))
  @IsOptional()
  @Transform(toList)
  @IsString({ each: true })
  status?: string[];

  @ApiPropertyOptional(listDoc('Any of these case types', 'kyb'))
  @IsOptional()
  @Transform(toList)
  @IsString({ each: true })
  type?: string[];

  @ApiPropertyOptional(listDoc('Any of these assignees; `null` means unassigned', 'null'))
  @IsOptional()
  @Transform(toList)
  @IsString({ each: true })
  assignee?: string[];

  @ApiPropertyOptional(listDoc('Cases carrying all of these tags', 'urgent'))
  @IsOptional()
  @Transform(toList)
  @IsString({ each: true })
  tag?: string[];

  @ApiPropertyOptional({ description: 'Words the case data must hold (as prefixes, at most 8), or a case id', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}
