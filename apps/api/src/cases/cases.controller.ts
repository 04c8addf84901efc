import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { actorFromAuth, AuthContext, BadRequestError } from '@app/common';
import { CasesService } from '@app/cases';
import { CaseIntakeService, RunsService } from '@app/runs';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { Roles } from '../auth/roles.decorator';
import { CreateCaseDto } from './dto/create-case.dto';
import { PageQueryDto } from './dto/list-query.dto';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases')
export class CasesController {
  constructor(
    private readonly intake: CaseIntakeService,
    private readonly cases: CasesService,
    private readonly runs: RunsService,
  ) {}

  @Post()
  @Roles('pipeline')
  @ApiOperation({ summary: 'Create a case; with `workflow`, start its run at once' })
  create(@CurrentAuth() auth: AuthContext, @Body() body: CreateCaseDto) {
    return this.intake.create(auth.organizationId, body, actorFromAuth(auth, 'pipeline'));
  }

  @Get(':id')
  @Roles('reviewer', 'pipeline')
  @ApiOperation({ summary: 'A case with its blocks, available actions, runs and child cases' })
  async get(@CurrentAuth() auth: AuthContext, @Param('id') id: string) {
    const view = await this.cases.view(auth.organizationId, id);
    return { ...view, runs: await this.runs.summariesForCase(auth.organizationId, view.id) };
  }

  @Get(':id/events')
  @Roles('reviewer', 'pipeline')
  @ApiOperation({ summary: "The case's audit trail, oldest first" })
  events(@CurrentAuth() auth: AuthContext, @Param('id') id: string, @Query() query: PageQueryDto) {
    if (query.cursor !== undefined && !/^\d{1,18}$/.test(query.cursor)) throw new BadRequestError('INVALID_CURSOR', 'cursor must be a value returned as nextCursor.');
    return this.cases.listEvents(auth.organizationId, id, { cursor: query.cursor, limit: query.limit });
  }
}
