import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { actorFromAuth, AuthContext, BadRequestError } from '@app/common';
import { CasesService, CaseStatusUpdatesService } from '@app/cases';
import { CaseIntakeService } from '@app/runs';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { ApiKeyAuth } from '../openapi/api-key-auth.decorator';
import { ApiIdempotencyKeyHeader, ApiIfMatchHeader } from '../openapi/request-headers.decorator';
import { CaseEventPageResponse } from './dto/case-event.response';
import { SetStatusDto } from './dto/case-review.dto';
import { CaseDetailResponse } from './dto/case.response';
import { CreateCaseDto } from './dto/create-case.dto';
import { PageQueryDto } from './dto/list-query.dto';
import { versionFromIfMatch } from './if-match.util';

@ApiTags('cases')
@ApiKeyAuth()
@Controller('cases')
export class CasesController {
  constructor(
    private readonly intake: CaseIntakeService,
    private readonly cases: CasesService,
    private readonly statusUpdates: CaseStatusUpdatesService,
  ) {}

  @Post()
  @Roles('pipeline')
  @ApiOperation({ summary: 'Create a case; with `workflow`, start its run at once' })
  @ApiCreatedResponse({ type: CaseDetailResponse })
  @ApiErrors({
    body: true,
    404: ['WORKFLOW_NOT_FOUND'],
    422: ['UNKNOWN_STATUS_SET', 'STATUS_SET_HAS_NO_INITIAL', 'STATUS_SET_MISMATCH', 'CASE_TYPE_MISMATCH', 'DUPLICATE_BLOCK_KEY'],
  })
  create(@CurrentAuth() auth: AuthContext, @Body() body: CreateCaseDto) {
    return this.intake.create(auth.organizationId, body, actorFromAuth(auth, 'pipeline'));
  }

  @Get(':id')
  @Roles('reviewer', 'pipeline')
  @ApiOperation({ summary: 'A case with its blocks, available actions, runs and child cases' })
  @ApiOkResponse({ type: CaseDetailResponse, headers: { ETag: { description: 'The case version, `"<version>"`: send it back as If-Match', schema: { type: 'string' } } } })
  @ApiErrors({ 404: ['CASE_NOT_FOUND'] })
  async get(@CurrentAuth() auth: AuthContext, @Param('id') id: string, @Res({ passthrough: true }) response: Response) {
    const detail = await this.cases.detail(auth.organizationId, id);
    response.setHeader('ETag', `"${detail.version}"`);
    return detail;
  }

  @Post(':id/status')
  @HttpCode(200)
  @Roles('pipeline')
  @ApiIdempotencyKeyHeader()
  @ApiIfMatchHeader('412 VERSION_MISMATCH when the case has moved on')
  @ApiOperation({ summary: "Set a case's status from a pipeline" })
  @ApiOkResponse({
    type: CaseDetailResponse,
    description: 'The case after the change (or as it was, when it already had that status), with its runs as they are now',
    headers: {
      ETag: { description: 'The new case version', schema: { type: 'string' } },
      'Idempotent-Replayed': { description: '`true` when this is the stored answer of an earlier request with the same Idempotency-Key', schema: { type: 'string' } },
    },
  })
  @ApiErrors({
    body: true,
    400: ['INVALID_IDEMPOTENCY_KEY', 'INVALID_IF_MATCH'],
    404: ['CASE_NOT_FOUND'],
    409: ['CASE_TERMINAL (send `reopen: true` to leave a terminal status)'],
    412: ['VERSION_MISMATCH'],
    422: ['UNKNOWN_STATUS', 'IDEMPOTENCY_KEY_REUSED'],
  })
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
    // The runs are not stored with the answer: a replay reads them now, and shows them as they are.
    return { ...result.body, runs: result.runs ?? (await this.cases.runsOf(auth.organizationId, result.body.id)) };
  }

  @Get(':id/events')
  @Roles('reviewer', 'pipeline')
  @ApiOperation({ summary: "The case's audit trail, oldest first, in keyset pages" })
  @ApiOkResponse({ type: CaseEventPageResponse })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'INVALID_CURSOR'], 404: ['CASE_NOT_FOUND'] })
  events(@CurrentAuth() auth: AuthContext, @Param('id') id: string, @Query() query: PageQueryDto) {
    if (query.cursor !== undefined && !/^\d{1,18}$/.test(query.cursor)) throw new BadRequestError('INVALID_CURSOR', 'cursor must be a value returned as nextCursor.');
    return this.cases.listEvents(auth.organizationId, id, { cursor: query.cursor, limit: query.limit });
  }
}
