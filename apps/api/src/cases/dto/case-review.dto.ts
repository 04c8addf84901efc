import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsBoolean, IsInt, IsOptional, IsString, Length, Matches, Min, ValidateIf } from 'class-validator';
import { anyJson } from '../../openapi/any-json.util';
import { RawJson } from '../../filters/raw-json.decorator';

export class SetStatusDto {
  @ApiProperty({ example: 'manual_review', description: "A status of the case's status set" })
  @IsString()
  @Length(1, 100)
  status: string;

  @ApiPropertyOptional({ example: 'sanctions screening hit' })
  @IsOptional()
  @IsString()
  @Length(0, 2000)
  reason?: string;

  @ApiPropertyOptional({ description: 'Allow leaving a terminal status' })
  @IsOptional()
  @IsBoolean()
  reopen?: boolean;
}

export class CaseActionDto {
  @ApiPropertyOptional({ example: 'documents verified' })
  @IsOptional()
  @IsString()
  @Length(0, 2000)
  reason?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'The case version the reviewer decided on (or send If-Match); 409 if stale' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class BlockActionDto {
  @ApiPropertyOptional({ example: 'photo is blurred' })
  @IsOptional()
  @IsString()
  @Length(0, 2000)
  reason?: string;
}

export class EditBlockDto {
  @ApiPropertyOptional(anyJson('The block data as the reviewer corrected it (any JSON)'))
  @IsOptional()
  @RawJson()
  data?: unknown;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  title?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'The case version the edit was made on (or send If-Match); 409 if stale' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class AssignDto {
  @ApiProperty({ type: String, nullable: true, example: 'reviewer@acme.example', description: 'A reviewer, `queue:<name>`, or null to unassign' })
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Length(1, 200)
  assignee: string | null;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'The case version the assignment was made on (or send If-Match); 409 if stale' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

const TAG = /^[A-Za-z0-9_.:-]{1,64}$/;

export class TagsDto {
  @ApiPropertyOptional({ type: [String], example: ['high-risk'] })
  @IsOptional()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: 'tags may hold letters, digits, ".", ":", "-" and "_" (1-64)' })
  add?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: 'tags may hold letters, digits, ".", ":", "-" and "_" (1-64)' })
  remove?: string[];
}
