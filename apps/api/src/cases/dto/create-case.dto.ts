import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsObject, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { BLOCK_TYPES, BlockType } from '@app/cases';
import { RawJson } from '../../filters/raw-json.decorator';

export class CreateBlockDto {
  @ApiProperty({ example: 'passport' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{1,100}$/, { message: 'key may hold letters, digits, ".", "-" and "_" (1-100)' })
  key: string;

  @ApiProperty({ enum: BLOCK_TYPES })
  @IsIn(BLOCK_TYPES)
  type: BlockType;

  @ApiProperty({ example: 'Passport' })
  @IsString()
  @Length(1, 200)
  title: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @RawJson()
  data?: unknown;
}

export class CreateCaseDto {
  @ApiProperty({ example: 'kyb' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{1,100}$/, { message: 'type may hold letters, digits, ".", "-" and "_" (1-100)' })
  type: string;

  @ApiPropertyOptional({ description: 'Key of a workflow to start on the case at once', example: 'kyb-onboarding' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  workflow?: string;

  @ApiPropertyOptional({ description: 'Status set; defaults to the workflow\'s, else "default"' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  statusSet?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: "The entity's own JSON" })
  @IsOptional()
  @IsObject()
  @RawJson()
  data?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [CreateBlockDto] })
  @IsOptional()
  @ArrayMaxSize(200)
  @IsObject({ each: true, message: 'each block must be an object' })
  @ValidateNested({ each: true })
  @Type(() => CreateBlockDto)
  blocks?: CreateBlockDto[];
}
