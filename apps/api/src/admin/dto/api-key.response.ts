import { ApiProperty } from '@nestjs/swagger';
import { ROLES } from '@app/common';

class ApiKeyIdentity {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'onboarding pipeline' })
  name: string;

  @ApiProperty({ enum: ROLES })
  role: string;
}

export class IssuedApiKeyResponse extends ApiKeyIdentity {
  @ApiProperty({ example: 'cf_3q2-Xb...', description: 'The key itself: shown once, only its hash is kept' })
  apiKey: string;
}

/** A key as listings show it: never the key, only its first characters. */
export class ApiKeyResponse extends ApiKeyIdentity {
  @ApiProperty({ example: 'cf_3q2-Xb', description: 'The first characters of the key, to tell keys apart' })
  keyPrefix: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt: string | null;
}

export class ApiKeyListResponse {
  @ApiProperty({ type: [ApiKeyResponse], description: 'Oldest first, revoked keys included' })
  items: ApiKeyResponse[];
}
