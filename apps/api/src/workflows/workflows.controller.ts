import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '@app/common';
import { workflowDefinitionSchema } from '@app/workflow-core';
import { WorkflowsService } from '@app/workflows';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { Public, Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { ApiKeyAuth, ApiRateLimit } from '../openapi/api-key-auth.decorator';
import {
  WorkflowListResponse,
  WorkflowPublishResponse,
  WorkflowResponse,
  WorkflowValidationResponse,
  WorkflowVersionResponse,
} from './dto/workflow.response';

const definitionBody = { schema: { $ref: '#/components/schemas/WorkflowDefinition' } };

// Key auth is documented per route, not on the class: the schema route is public.
@ApiTags('workflows')
@Controller('workflows')
export class WorkflowsController {
  constructor(private readonly workflows: WorkflowsService) {}

  @Get('schema')
  @Public()
  @ApiOperation({ summary: 'The JSON Schema of workflow definitions' })
  @ApiOkResponse({ description: 'The JSON Schema (draft-07) that validates definitions', schema: { type: 'object', additionalProperties: true } })
  @ApiRateLimit()
  schema() {
    return workflowDefinitionSchema;
  }

  @Post('validate')
  @HttpCode(200)
  @Roles('author')
  @ApiBody(definitionBody)
  @ApiOperation({ summary: 'Validate a definition; stores nothing' })
  @ApiOkResponse({ type: WorkflowValidationResponse, description: 'Valid or not, with every problem' })
  @ApiKeyAuth()
  @ApiErrors({ 400: ['MALFORMED_JSON', 'NESTING_TOO_DEEP', 'INVALID_CHARACTER'], 413: ['PAYLOAD_TOO_LARGE'] })
  async validate(@CurrentAuth() auth: AuthContext, @Body() definition: unknown) {
    const problems = await this.workflows.validate(auth.organizationId, definition);
    return { valid: problems.length === 0, problems };
  }

  @Post()
  @Roles('author')
  @ApiBody(definitionBody)
  @ApiOperation({ summary: 'Publish a definition as a new immutable version (422 lists every problem)' })
  @ApiCreatedResponse({ type: WorkflowPublishResponse })
  @ApiKeyAuth()
  @ApiErrors({
    400: ['MALFORMED_JSON', 'NESTING_TOO_DEEP', 'INVALID_CHARACTER'],
    413: ['PAYLOAD_TOO_LARGE'],
    422: ['INVALID_DEFINITION (every problem in `error.details.problems`: [{ path, message }])'],
  })
  async publish(@CurrentAuth() auth: AuthContext, @Body() definition: unknown) {
    const { key, version } = await this.workflows.publish(auth.organizationId, definition, `key:${auth.keyId}`);
    return { key, version };
  }

  @Get()
  @Roles('author', 'reviewer')
  @ApiOperation({ summary: "The organization's workflows with their latest version number" })
  @ApiOkResponse({ type: WorkflowListResponse })
  @ApiKeyAuth()
  list(@CurrentAuth() auth: AuthContext) {
    return this.workflows.list(auth.organizationId).then((items) => ({ items }));
  }

  @Get(':key')
  @Roles('author', 'reviewer')
  @ApiOperation({ summary: 'A workflow: its latest definition and the list of its versions' })
  @ApiOkResponse({ type: WorkflowResponse })
  @ApiKeyAuth()
  @ApiErrors({ 404: ['WORKFLOW_NOT_FOUND'] })
  get(@CurrentAuth() auth: AuthContext, @Param('key') key: string) {
    return this.workflows.get(auth.organizationId, key);
  }

  @Get(':key/versions/:version')
  @Roles('author', 'reviewer')
  @ApiOperation({ summary: 'One published version of a workflow' })
  @ApiOkResponse({ type: WorkflowVersionResponse })
  @ApiKeyAuth()
  @ApiErrors({ 400: ['BAD_REQUEST (version is not an integer)', 'INVALID_VALUE'], 404: ['WORKFLOW_VERSION_NOT_FOUND'] })
  async version(@CurrentAuth() auth: AuthContext, @Param('key') key: string, @Param('version', ParseIntPipe) version: number) {
    const found = await this.workflows.version(auth.organizationId, key, version);
    return { key: found.key, version: found.version, definition: found.definition, publishedAt: found.publishedAt, publishedBy: found.publishedBy };
  }
}
