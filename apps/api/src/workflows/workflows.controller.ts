import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '@app/common';
import { workflowDefinitionSchema } from '@app/workflow-core';
import { WorkflowsService } from '@app/workflows';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { Public, Roles } from '../auth/roles.decorator';

const definitionBody = { schema: { $ref: '#/components/schemas/WorkflowDefinition' } };

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('workflows')
export class WorkflowsController {
  constructor(private readonly workflows: WorkflowsService) {}

  @Get('schema')
  @Public()
  @ApiOperation({ summary: 'The JSON Schema of workflow definitions' })
  schema() {
    return workflowDefinitionSchema;
  }

  @Post('validate')
  @HttpCode(200)
  @Roles('author')
  @ApiBody(definitionBody)
  @ApiOperation({ summary: 'Validate a definition; stores nothing' })
  async validate(@CurrentAuth() auth: AuthContext, @Body() definition: unknown) {
    const problems = await this.workflows.validate(auth.organizationId, definition);
    return { valid: problems.length === 0, problems };
  }

  @Post()
  @Roles('author')
  @ApiBody(definitionBody)
  @ApiOperation({ summary: 'Publish a definition as a new immutable version (422 lists every problem)' })
  async publish(@CurrentAuth() auth: AuthContext, @Body() definition: unknown) {
    const { key, version } = await this.workflows.publish(auth.organizationId, definition, `key:${auth.keyId}`);
    return { key, version };
  }

  @Get()
  @Roles('author', 'reviewer')
  list(@CurrentAuth() auth: AuthContext) {
    return this.workflows.list(auth.organizationId).then((items) => ({ items }));
  }

  @Get(':key')
  @Roles('author', 'reviewer')
  get(@CurrentAuth() auth: AuthContext, @Param('key') key: string) {
    return this.workflows.get(auth.organizationId, key);
  }

  @Get(':key/versions/:version')
  @Roles('author', 'reviewer')
  async version(@CurrentAuth() auth: AuthContext, @Param('key') key: string, @Param('version', ParseIntPipe) version: number) {
    const found = await this.workflows.version(auth.organizationId, key, version);
    return { key: found.key, version: found.version, definition: found.definition, publishedAt: found.publishedAt, publishedBy: found.publishedBy };
  }
}
