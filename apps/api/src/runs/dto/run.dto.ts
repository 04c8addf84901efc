import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { anyJson } from '../../openapi/any-json.util';
import { RawJson } from '../../filters/raw-json.decorator';

export class StartRunDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  caseId: string;

  @ApiProperty({ example: 'kyb-onboarding' })
  @IsString()
  @Length(1, 100)
  workflow: string;
}

export class SendEventDto {
  @ApiProperty({ example: 'COLLECTION_COMPLETED' })
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9_.]{0,99}$/, { message: 'type must be an event name such as COLLECTION_COMPLETED' })
  type: string;

  @ApiPropertyOptional(anyJson('Any JSON; guards read it as event.payload'))
  @IsOptional()
  @RawJson()
  payload?: unknown;
}
