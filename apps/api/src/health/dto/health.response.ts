import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';

export class LivenessResponse {
  @ApiProperty({ enum: ['ok'] })
  status: string;
}

const UP = { postgres: { status: 'up' }, redis: { status: 'up' } };

/** Terminus's indicator results, by dependency (`postgres`, `redis`). */
function indicators(description: string, example: object): ApiPropertyOptions {
  return {
    type: 'object',
    description: `${description}: \`{ status: up | down, message? }\` by dependency`,
    additionalProperties: {
      type: 'object',
      properties: { status: { type: 'string', enum: ['up', 'down'] }, message: { type: 'string' } },
      required: ['status'],
    },
    example,
  };
}

/** @nestjs/terminus's result when every dependency answers. */
export class ReadinessResponse {
  @ApiProperty({ enum: ['ok'] })
  status: string;

  @ApiProperty(indicators('The dependencies that are up', UP))
  info: Record<string, unknown>;

  @ApiProperty(indicators('The dependencies that are down (none here)', {}))
  error: Record<string, unknown>;

  @ApiProperty(indicators('Every dependency', UP))
  details: Record<string, unknown>;
}
