import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { actorFromAuth, AuthContext, BadRequestError } from '@app/common';
import { RunsService } from '@app/runs';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { ApiKeyAuth } from '../openapi/api-key-auth.decorator';
import { SendEventDto, StartRunDto } from './dto/run.dto';
import { RunResponse } from './dto/run.response';

@ApiTags('runs')
@ApiKeyAuth()
@Controller('runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Post()
  @Roles('pipeline')
  @ApiOperation({ summary: 'Start a run of the latest version of a workflow on a case' })
  @ApiCreatedResponse({ type: RunResponse })
  @ApiErrors({
    body: true,
    404: ['CASE_NOT_FOUND', 'WORKFLOW_NOT_FOUND'],
    409: ['CASE_HAS_ACTIVE_RUN'],
    422: ['STATUS_SET_MISMATCH', 'CASE_TYPE_MISMATCH'],
  })
  start(@CurrentAuth() auth: AuthContext, @Body() body: StartRunDto) {
    return this.runs.start(auth.organizationId, body.caseId, body.workflow);
  }

  @Get(':id')
  @Roles('pipeline', 'reviewer')
  @ApiOperation({ summary: 'The run with its timeline: states entered, step executions, events' })
  @ApiOkResponse({ type: RunResponse })
  @ApiErrors({ 404: ['RUN_NOT_FOUND'] })
  get(@CurrentAuth() auth: AuthContext, @Param('id') id: string) {
    return this.runs.get(auth.organizationId, id);
  }

  @Post(':id/events')
  @HttpCode(200)
  @Roles('pipeline')
  @ApiOperation({ summary: 'Send an event; 409 when the current state does not accept it' })
  @ApiOkResponse({ type: RunResponse, description: 'The run after the event' })
  @ApiErrors({
    body: true,
    400: ['RESERVED_EVENT (names starting with `caseflow.`)'],
    404: ['RUN_NOT_FOUND'],
    409: ['EVENT_NOT_ACCEPTED (`details.acceptedEvents`)', 'RUN_NOT_ACTIVE'],
  })
  send(@CurrentAuth() auth: AuthContext, @Param('id') id: string, @Body() body: SendEventDto) {
    if (body.type.startsWith('caseflow.')) throw new BadRequestError('RESERVED_EVENT', 'Event names starting with "caseflow." are reserved.');
    return this.runs.sendEvent(auth.organizationId, id, { type: body.type, payload: body.payload }, actorFromAuth(auth, 'pipeline'));
  }

  @Post(':id/retry')
  @HttpCode(200)
  @Roles('pipeline')
  @ApiOperation({ summary: 'Resume a failed run at the step that failed' })
  @ApiOkResponse({ type: RunResponse, description: 'The run, running again' })
  @ApiErrors({ 404: ['RUN_NOT_FOUND'], 409: ['RUN_NOT_FAILED', 'CASE_HAS_ACTIVE_RUN', 'RUN_NOT_RETRYABLE'] })
  retry(@CurrentAuth() auth: AuthContext, @Param('id') id: string) {
    return this.runs.retry(auth.organizationId, id, actorFromAuth(auth, 'pipeline'));
  }
}
