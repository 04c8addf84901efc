import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { actorFromAuth, AuthContext, BadRequestError } from '@app/common';
import { CasesService, CaseStatusUpdatesService } from '@app/cases';
import { CaseIntakeService, RunsService } from '@app/runs';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { Roles } from '../auth/roles.decorator';
import { CreateCaseDto } from './dto/create-case.dto';
import { SetStatusDto } from './dto/case-review.dto';
import { PageQueryDto } from './dto/list-query.dto';
import { versionFromIfMatch } from './if-match.util';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases')
export class CasesController {
  constructor(
    private readonly intake: CaseIntakeService,
    private readonly cases: CasesService,
    private readonly runs: RunsService,
    private readonly statusUpdates: CaseStatusUpdatesService,
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
  async get(@CurrentAuth() auth: AuthContext, @Param('id') id: string, @Res({ passthrough: true }) response: Response) {
    const view = await this.cases.view(auth.organizationId, id);
    response.setHeader('ETag', `"${view.version}"`);
    return { ...view, runs: await this.runs.summariesForCase(auth.organizationId, view.id) };
  }

  @Post(':id/status')
  @HttpCode(200)
  @Roles('pipeline')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A replay with the same key gets the stored answer, with no second effect' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The case version (its ETag); 412 when stale' })
  @ApiOperation({ summary: "Set a case's status from a pipeline" })
  async setStatus(
    @CurrentAuth() auth: AuthContext,
    @Param('id') id: string,
    @Body() body: SetStatusDto,
    @Res({ passthrough: true }) response: Response,
    @Headers('idempotency-key') idempotencyKey?: string,
    @Headers('if-match') ifMatch?: string,
  ) {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) {
      throw new BadRequestError('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1-255 visible ASCII characters.');
    }
    const result = await this.statusUpdates.update(
      auth.organizationId,
      id,
      { status: body.status, reason: body.reason ?? null, reopen: body.reopen },
      { idempotencyKey, expectedVersion: versionFromIfMatch(ifMatch) },
      actorFromAuth(auth, 'pipeline'),
    );
    response.status(result.status);
    if (result.replayed) response.setHeader('Idempotent-Replayed', 'true');
    response.setHeader('ETag', `"${result.body.version}"`);
    return result.body;
  }

  @Get(':id/events')
  @Roles('reviewer', 'pipeline')
  @ApiOperation({ summary: "The case's audit trail, oldest first" })
  events(@CurrentAuth() auth: AuthContext, @Param('id') id: string, @Query() query: PageQueryDto) {
    if (query.cursor !== undefined && !/^\d{1,18}$/.test(query.cursor)) throw new BadRequestError('INVALID_CURSOR', 'cursor must be a value returned as nextCursor.');
    return this.cases.listEvents(auth.organizationId, id, { cursor: query.cursor, limit: query.limit });
  }
}
