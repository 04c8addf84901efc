import { Body, Controller, Headers, HttpCode, Param, ParseEnumPipe, Patch, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { actorFromAuth, AuthContext } from '@app/common';
import { BLOCK_ACTIONS, BlockAction, CaseReviewService } from '@app/cases';
import { CaseActionsService } from '@app/runs';
import { CASE_ACTIONS, CaseAction } from '@app/statuses';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { ApiKeyAuth } from '../openapi/api-key-auth.decorator';
import { ApiIfMatchHeader } from '../openapi/request-headers.decorator';
import { CaseActionResponse } from './dto/case-action.response';
import { AssignDto, BlockActionDto, CaseActionDto, EditBlockDto, TagsDto } from './dto/case-review.dto';
import { CaseDetailResponse } from './dto/case.response';
import { expectedVersion } from './if-match.util';

const STALE = '409 VERSION_CONFLICT when the case has moved on';
const blockKey = { name: 'key', description: 'The block key, e.g. `passport`' };
/** Sent both as If-Match and as `version` in the body, they must agree. */
const VERSION_400 = ['INVALID_IF_MATCH', 'VERSION_DISAGREES'];

/** What a reviewer does to a case: decide it, decide or correct its blocks, assign and tag it. */
@ApiTags('cases')
@ApiKeyAuth()
@Roles('reviewer')
@Controller('cases/:id')
export class CaseReviewController {
  constructor(
    private readonly actions: CaseActionsService,
    private readonly review: CaseReviewService,
  ) {}

  @Post('actions/:action')
  @HttpCode(200)
  @ApiParam({ name: 'action', enum: CASE_ACTIONS })
  @ApiIfMatchHeader(STALE)
  @ApiOperation({ summary: "Approve, reject or ask for re-uploads; the case's status must offer the action (409 otherwise)" })
  @ApiOkResponse({ type: CaseActionResponse })
  @ApiErrors({
    body: true,
    400: ['BAD_REQUEST (unknown action)', ...VERSION_400],
    404: ['CASE_NOT_FOUND'],
    409: ['ACTION_NOT_AVAILABLE (`details.availableActions`)', 'ACTION_HAS_NO_TARGET', 'VERSION_CONFLICT'],
  })
  perform(
    @CurrentAuth() auth: AuthContext,
    @Param('id') id: string,
    @Param('action', new ParseEnumPipe(CASE_ACTIONS)) action: CaseAction,
    @Body() body: CaseActionDto,
    @Headers('if-match') ifMatchHeader?: string,
  ) {
    return this.actions.perform(
      auth.organizationId,
      id,
      action,
      { reason: body.reason ?? null, expectedVersion: expectedVersion(body.version, ifMatchHeader) },
      actorFromAuth(auth, 'reviewer'),
    );
  }

  @Post('blocks/:key/actions/:action')
  @HttpCode(200)
  @ApiParam(blockKey)
  @ApiParam({ name: 'action', enum: BLOCK_ACTIONS })
  @ApiOperation({ summary: 'Approve a document or KYC block, or flag it for re-upload' })
  @ApiOkResponse({ type: CaseDetailResponse, description: 'The case after the decision' })
  @ApiErrors({ body: true, 400: ['BAD_REQUEST (unknown action)'], 404: ['CASE_NOT_FOUND', 'BLOCK_NOT_FOUND'], 409: ['BLOCK_ACTION_NOT_AVAILABLE'] })
  decideBlock(
    @CurrentAuth() auth: AuthContext,
    @Param('id') id: string,
    @Param('key') key: string,
    @Param('action', new ParseEnumPipe(BLOCK_ACTIONS)) action: BlockAction,
    @Body() body: BlockActionDto,
  ) {
    return this.review.decideBlock(auth.organizationId, id, key, action, body.reason ?? null, actorFromAuth(auth, 'reviewer'));
  }

  @Patch('blocks/:key')
  @ApiParam(blockKey)
  @ApiIfMatchHeader(STALE)
  @ApiOperation({ summary: 'Correct an editable block (user_data, document, kyc); registry and enriched data are read-only (409)' })
  @ApiOkResponse({ type: CaseDetailResponse, description: 'The case after the edit' })
  @ApiErrors({ body: true, 400: VERSION_400, 404: ['CASE_NOT_FOUND', 'BLOCK_NOT_FOUND'], 409: ['BLOCK_READ_ONLY', 'VERSION_CONFLICT'] })
  editBlock(
    @CurrentAuth() auth: AuthContext,
    @Param('id') id: string,
    @Param('key') key: string,
    @Body() body: EditBlockDto,
    @Headers('if-match') ifMatchHeader?: string,
  ) {
    return this.review.editBlock(auth.organizationId, id, key, { data: body.data, title: body.title }, actorFromAuth(auth, 'reviewer'), expectedVersion(body.version, ifMatchHeader));
  }

  @Post('assign')
  @HttpCode(200)
  @ApiIfMatchHeader(STALE)
  @ApiOperation({ summary: 'Assign the case to a reviewer or a queue, or unassign it' })
  @ApiOkResponse({ type: CaseDetailResponse, description: 'The case after the change' })
  @ApiErrors({ body: true, 400: VERSION_400, 404: ['CASE_NOT_FOUND'], 409: ['VERSION_CONFLICT'] })
  assign(@CurrentAuth() auth: AuthContext, @Param('id') id: string, @Body() body: AssignDto, @Headers('if-match') ifMatchHeader?: string) {
    return this.review.assign(auth.organizationId, id, body.assignee, actorFromAuth(auth, 'reviewer'), expectedVersion(body.version, ifMatchHeader));
  }

  @Post('tags')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add and remove tags' })
  @ApiOkResponse({ type: CaseDetailResponse, description: 'The case after the change' })
  @ApiErrors({ body: true, 404: ['CASE_NOT_FOUND'] })
  tags(@CurrentAuth() auth: AuthContext, @Param('id') id: string, @Body() body: TagsDto) {
    return this.review.changeTags(auth.organizationId, id, { add: body.add, remove: body.remove }, actorFromAuth(auth, 'reviewer'));
  }

}
