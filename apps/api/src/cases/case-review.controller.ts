import { Body, Controller, Headers, HttpCode, Param, ParseEnumPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { actorFromAuth, AuthContext } from '@app/common';
import { BLOCK_ACTIONS, BlockAction, CaseReviewService } from '@app/cases';
import { CaseActionsService } from '@app/runs';
import { CASE_ACTIONS, CaseAction } from '@app/statuses';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { Roles } from '../auth/roles.decorator';
import { AssignDto, BlockActionDto, CaseActionDto, EditBlockDto, TagsDto } from './dto/case-review.dto';
import { expectedVersion } from './if-match.util';

const ifMatch = { name: 'If-Match', required: false, description: 'The case version (its ETag); 409 when stale' };

/** What a reviewer does to a case: decide it, decide or correct its blocks, assign and tag it. */
@ApiTags('cases')
@ApiBearerAuth()
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
  @ApiHeader(ifMatch)
  @ApiOperation({ summary: "Approve, reject or ask for re-uploads; the case's status must offer the action (409 otherwise)" })
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
  @ApiParam({ name: 'action', enum: BLOCK_ACTIONS })
  @ApiOperation({ summary: 'Approve a document or KYC block, or flag it for re-upload' })
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
  @ApiHeader(ifMatch)
  @ApiOperation({ summary: 'Correct an editable block (user_data, document, kyc); registry and enriched data are read-only (409)' })
  editBlock(
    @CurrentAuth() auth: AuthContext,
    @Param('id') id: string,
    @Param('key') key: string,
    @Body() body: EditBlockDto,
    @Headers('if-match') ifMatchHeader?: string,
  ) {
    return this.review.editBlock(
      auth.organizationId,
      id,
      key,
      { data: body.data, title: body.title },
      actorFromAuth(auth, 'reviewer'),
      expectedVersion(body.version, ifMatchHeader),
    );
  }

  @Post('assign')
  @HttpCode(200)
  @ApiOperation({ summary: 'Assign the case to a reviewer or a queue, or unassign it' })
  assign(@CurrentAuth() auth: AuthContext, @Param('id') id: string, @Body() body: AssignDto, @Headers('if-match') ifMatchHeader?: string) {
    return this.review.assign(auth.organizationId, id, body.assignee, actorFromAuth(auth, 'reviewer'), expectedVersion(body.version, ifMatchHeader));
  }

  @Post('tags')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add and remove tags' })
  tags(@CurrentAuth() auth: AuthContext, @Param('id') id: string, @Body() body: TagsDto) {
    return this.review.changeTags(auth.organizationId, id, { add: body.add, remove: body.remove }, actorFromAuth(auth, 'reviewer'));
  }
}
