import { ApiProperty } from '@nestjs/swagger';

export class OrganizationResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Acme Bank' })
  name: string;

  @ApiProperty({ example: 'acme' })
  slug: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;
}

export class CreatedOrganizationResponse {
  @ApiProperty({ type: OrganizationResponse })
  organization: OrganizationResponse;

  @ApiProperty({ example: 'cf_3q2-Xb...', description: "The new organization's first admin key: shown once, never again" })
  apiKey: string;

  @ApiProperty({ format: 'uuid', description: 'The id of that key (to revoke it)' })
  apiKeyId: string;
}
