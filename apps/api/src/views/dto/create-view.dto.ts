import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { RawJson } from '../../filters/raw-json.decorator';

export class CreateViewDto {
  @ApiProperty({ example: 'HK companies in review', description: 'Unique in the organization' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'Any of: workflow, status, type, assignee (null = unassigned) as lists of accepted values; tag (cases carrying all of them); ' +
      'data: [{ path: "company.country", op: "eq" | "in" | "exists" | "contains", value }] (all must hold). 422 lists every problem.',
    example: { workflow: ['kyb-onboarding'], status: ['manual_review'], data: [{ path: 'company.country', op: 'eq', value: 'HK' }] },
  })
  // Checked by parseCaseFilter in ViewsService, which lists every problem with its JSON pointer.
  @IsDefined()
  @RawJson()
  filter: unknown;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 100000, description: 'Sidebar order (ascending); defaults to after the existing views' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100000)
  position?: number;
}
