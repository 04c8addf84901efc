import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsBoolean, IsIn, IsObject, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { ROLES, Role } from '@app/common';
import { CASE_ACTIONS, CaseAction, STATUS_CATEGORIES, StatusCategory } from '@app/statuses';

const KEY = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const KEY_MESSAGE = 'must be lower-case letters, digits, "-" or "_" (1-64), starting with a letter or digit';

export class CreateOrganizationDto {
  @ApiProperty({ example: 'Acme Bank' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ example: 'acme' })
  @Matches(KEY, { message: `slug ${KEY_MESSAGE}` })
  slug: string;
}

export class CreateApiKeyDto {
  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;

  @ApiProperty({ example: 'onboarding pipeline' })
  @IsString()
  @Length(1, 200)
  name: string;
}

/** Where each case action of a new set leads: a status key of that set. */
export class ActionTargetsDto {
  @ApiPropertyOptional({ example: 'approved' })
  @IsOptional()
  @Matches(KEY, { message: `approve target ${KEY_MESSAGE}` })
  approve?: string;

  @ApiPropertyOptional({ example: 'declined' })
  @IsOptional()
  @Matches(KEY, { message: `reject target ${KEY_MESSAGE}` })
  reject?: string;

  @ApiPropertyOptional({ example: 'pending' })
  @IsOptional()
  @Matches(KEY, { message: `request_reuploads target ${KEY_MESSAGE}` })
  request_reuploads?: string;
}

export class CreateStatusDto {
  @ApiProperty({ example: 'kyb', description: 'Status set; created when new' })
  @Matches(KEY, { message: `set ${KEY_MESSAGE}` })
  set: string;

  @ApiProperty({ example: 'awaiting_ubo' })
  @Matches(KEY, { message: `key ${KEY_MESSAGE}` })
  key: string;

  @ApiProperty({ example: 'Awaiting UBO documents' })
  @IsString()
  @Length(1, 200)
  label: string;

  @ApiProperty({ enum: STATUS_CATEGORIES })
  @IsIn(STATUS_CATEGORIES)
  category: StatusCategory;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  terminal?: boolean;

  @ApiPropertyOptional({ description: 'Make it the status new cases of the set start in' })
  @IsOptional()
  @IsBoolean()
  initial?: boolean;

  @ApiPropertyOptional({ enum: CASE_ACTIONS, isArray: true })
  @IsOptional()
  @ArrayMaxSize(CASE_ACTIONS.length)
  @IsIn(CASE_ACTIONS, { each: true })
  actions?: CaseAction[];

  @ApiPropertyOptional({ description: 'Label of the set, when this creates it' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  setLabel?: string;

  @ApiPropertyOptional({ type: ActionTargetsDto, description: 'Where each case action leads, when this creates the set' })
  @IsOptional()
  @IsObject({ message: 'actionTargets must be an object' })
  @ValidateNested()
  @Type(() => ActionTargetsDto)
  actionTargets?: ActionTargetsDto;
}
