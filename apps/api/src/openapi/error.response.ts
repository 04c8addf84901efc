import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorBody {
  @ApiProperty({ example: 'CASE_NOT_FOUND', description: 'Stable and machine-readable; each operation lists the main codes of each status' })
  code: string;

  @ApiProperty({ example: 'Case 6f1c0a52-3b1e-4c7e-9a55-0d6b8a8f1e21 was not found.', description: 'For people; may change' })
  message: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'What is wrong, when there is more to say: e.g. `problems: [{ path, message }]` (JSON pointers) for invalid input',
    example: { problems: [{ path: '/status', message: 'status must be a string' }] },
  })
  details?: Record<string, unknown>;
}

/** The one error envelope (apps/api/src/filters/error.filter.ts): every 4xx and 5xx answer has it. */
export class ErrorResponse {
  @ApiProperty({ type: ErrorBody })
  error: ErrorBody;
}
