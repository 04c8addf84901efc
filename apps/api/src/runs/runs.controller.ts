import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { actorFromAuth, AuthContext, BadRequestError } from '@app/common';
import { RunsService } from '@app/runs';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { Roles } from '../auth/roles.decorator';
import { SendEventDto, StartRunDto } from './dto/run.dto';

@ApiTags('runs')
@ApiBearerAuth()
@Controller('runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Post()
  @Roles('pipeline')
  @ApiOperation({ summary: 'Start a run of the latest version of a workflow on a case' })
  start(@CurrentAuth() auth: AuthContext, @Body() body: StartRunDto) {
    return this.runs.start(auth.organizationId, body.caseId, body.workflow);
  }

  @Get(':id')
  @Roles('pipeline', 'reviewer')
  @ApiOperation({ summary: 'The run with its timeline: states entered, step executions, events' })
  get(@CurrentAuth() auth: AuthContext, @Param('id') id: string) {
    return this.runs.get(auth.organizationId, id);
  }

  @Post(':id/events')
  @HttpCode(200)
  @Roles('pipeline')
  @ApiOperation({ summary: 'Send an event; 409 when the current state does not accept it' })
  send(@CurrentAuth() auth: AuthContext, @Param('id') id: string, @Body() body: SendEventDto) {
    if (body.type.startsWith('caseflow.')) throw new BadRequestError('RESERVED_EVENT', 'Event names starting with "caseflow." are reserved.');
    return this.runs.sendEvent(auth.organizationId, id, { type: body.type, payload: body.payload }, actorFromAuth(auth, 'pipeline'));
  }

  @Post(':id/retry')
  @HttpCode(200)
  @Roles('pipeline')
  @ApiOperation({ summary: 'Resume a failed run at the step that failed' })
  retry(@CurrentAuth() auth: AuthContext, @Param('id') id: string) {
    return this.runs.retry(auth.organizationId, id, actorFromAuth(auth, 'pipeline'));
  }
}
