import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '@app/common';
import { ViewsService } from '@app/views';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { ApiKeyAuth } from '../openapi/api-key-auth.decorator';
import { CreateViewDto } from './dto/create-view.dto';
import { CountedViewResponse, ViewListResponse, ViewResponse } from './dto/view.response';

/** A stored filter is parsed again when read; one written by an older version may not parse. */
const STALE_FILTER = ['INVALID_VIEW_FILTER (a stored filter this version cannot run)'];

/** Saved filters of the case list, for reviewers' sidebars. */
@ApiTags('views')
@ApiKeyAuth()
@Roles('reviewer')
@Controller('views')
export class ViewsController {
  constructor(private readonly views: ViewsService) {}

  @Get()
  @ApiOperation({ summary: 'The views in sidebar order, each with its count of matching cases (capped at 10,000: `capped`)' })
  @ApiOkResponse({ type: ViewListResponse })
  @ApiErrors({ 422: STALE_FILTER })
  async list(@CurrentAuth() auth: AuthContext) {
    return { items: await this.views.list(auth.organizationId) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One view with its count' })
  @ApiOkResponse({ type: CountedViewResponse })
  @ApiErrors({ 404: ['VIEW_NOT_FOUND'], 422: STALE_FILTER })
  get(@CurrentAuth() auth: AuthContext, @Param('id') id: string) {
    return this.views.get(auth.organizationId, id);
  }

  @Post()
  @ApiOperation({ summary: 'Save a view; 422 lists the problems of a bad filter, 409 when the name is taken' })
  @ApiCreatedResponse({ type: ViewResponse, description: 'The view as stored (its filter normalised), without a count' })
  @ApiErrors({
    body: true,
    409: ['VIEW_EXISTS'],
    422: ['INVALID_FILTER (`error.details.problems`)', 'INVALID_VIEW_NAME', 'TOO_MANY_VIEWS'],
  })
  create(@CurrentAuth() auth: AuthContext, @Body() body: CreateViewDto) {
    return this.views.create(auth.organizationId, body, `key:${auth.keyId}`);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a view' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors({ 404: ['VIEW_NOT_FOUND'] })
  async delete(@CurrentAuth() auth: AuthContext, @Param('id') id: string) {
    await this.views.delete(auth.organizationId, id);
  }
}
