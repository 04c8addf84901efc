import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { API_KEY_CACHE_TTL_MS, ApiKeysService, DEFAULT_ORGANIZATION_SLUG, OrganizationsService } from '@app/auth';
import { AuthContext, ForbiddenError } from '@app/common';
import { StatusesService } from '@app/statuses';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { ApiKeyAuth } from '../openapi/api-key-auth.decorator';
import { CreateApiKeyDto, CreateOrganizationDto, CreateStatusDto } from './dto/admin.dto';
import { ApiKeyListResponse, IssuedApiKeyResponse } from './dto/api-key.response';
import { CreatedOrganizationResponse } from './dto/organization.response';
import { CreatedStatusResponse, StatusSetListResponse } from './dto/status.response';

@ApiTags('admin')
@ApiKeyAuth()
@Roles('admin')
@Controller('admin')
export class AdminController {
  constructor(
    private readonly organizations: OrganizationsService,
    private readonly apiKeys: ApiKeysService,
    private readonly statuses: StatusesService,
  ) {}

  @Post('organizations')
  @ApiOperation({ summary: 'Create an organization (admins of "default" only); returns its first admin key, shown once' })
  @ApiCreatedResponse({ type: CreatedOrganizationResponse })
  @ApiErrors({
    body: true,
    403: ['FORBIDDEN (not an admin key, or an admin of an organization other than `default`)'],
    409: ['ORGANIZATION_EXISTS'],
  })
  async createOrganization(@CurrentAuth() auth: AuthContext, @Body() body: CreateOrganizationDto) {
    const own = await this.organizations.findById(auth.organizationId);
    if (own?.slug !== DEFAULT_ORGANIZATION_SLUG) throw new ForbiddenError('Only admins of the default organization may create organizations.');
    const { organization, apiKey } = await this.organizations.create(body.name, body.slug);
    return {
      organization: { id: organization.id, name: organization.name, slug: organization.slug, createdAt: organization.createdAt },
      apiKey: apiKey.apiKey,
      apiKeyId: apiKey.id,
    };
  }

  @Post('api-keys')
  @ApiOperation({ summary: 'Issue an API key for a role; the key is shown once' })
  @ApiCreatedResponse({ type: IssuedApiKeyResponse })
  @ApiErrors({ body: true })
  async createApiKey(@CurrentAuth() auth: AuthContext, @Body() body: CreateApiKeyDto) {
    const issued = await this.apiKeys.issue(auth.organizationId, body.role, body.name);
    return { id: issued.id, name: issued.name, role: issued.role, apiKey: issued.apiKey };
  }

  @Get('api-keys')
  @ApiOperation({ summary: "The organization's API keys (prefixes only), revoked ones included" })
  @ApiOkResponse({ type: ApiKeyListResponse })
  async listApiKeys(@CurrentAuth() auth: AuthContext) {
    return { items: await this.apiKeys.list(auth.organizationId) };
  }

  @Delete('api-keys/:id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke an API key; it is refused (401) from then on',
    description: `API processes remember valid keys for ${API_KEY_CACHE_TTL_MS / 1000} s: the process that revokes a key refuses it at once, other API processes within ${API_KEY_CACHE_TTL_MS / 1000} s.`,
  })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrors({ 404: ['API_KEY_NOT_FOUND (also for a key already revoked)'] })
  async revokeApiKey(@CurrentAuth() auth: AuthContext, @Param('id') id: string) {
    await this.apiKeys.revoke(auth.organizationId, id);
  }

  @Get('statuses')
  @ApiOperation({ summary: 'Status sets with their statuses' })
  @ApiOkResponse({ type: StatusSetListResponse })
  async listStatuses(@CurrentAuth() auth: AuthContext) {
    return { items: await this.statuses.listSets(auth.organizationId) };
  }

  @Post('statuses')
  @ApiOperation({ summary: 'Add a custom status to a set (the set is created when new)' })
  @ApiCreatedResponse({ type: CreatedStatusResponse })
  @ApiErrors({ body: true, 409: ['STATUS_EXISTS'] })
  async createStatus(@CurrentAuth() auth: AuthContext, @Body() body: CreateStatusDto) {
    const status = await this.statuses.addStatus(auth.organizationId, body);
    const { setKey, key, label, category, terminal, initial, actions } = status;
    return { set: setKey, key, label, category, terminal, initial, actions };
  }

  @Delete('statuses/:set/:key')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a custom status that no case uses' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors({ 404: ['STATUS_NOT_FOUND'], 409: ['STATUS_IN_USE', 'STATUS_IS_INITIAL', 'STATUS_IS_ACTION_TARGET'] })
  async deleteStatus(@CurrentAuth() auth: AuthContext, @Param('set') set: string, @Param('key') key: string) {
    await this.statuses.deleteStatus(auth.organizationId, set, key);
  }
}
