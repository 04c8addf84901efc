import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '@app/common';
import { ViewsService } from '@app/views';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { Roles } from '../auth/roles.decorator';
import { CreateViewDto } from './dto/create-view.dto';

/** Saved filters of the case list, for reviewers' sidebars. */
@ApiTags('views')
@ApiBearerAuth()
@Roles('reviewer')
@Controller('views')
export class ViewsController {
  constructor(private readonly views: ViewsService) {}

  @Get()
  @ApiOperation({ summary: 'The views in sidebar order, each with its count of matching cases (capped at 10,000: `capped`)' })
  async list(@CurrentAuth() auth: AuthContext) {
    return { items: await this.views.list(auth.organizationId) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One view with its count' })
  get(@CurrentAuth() auth: AuthContext, @Param('id') id: string) {
    return this.views.get(auth.organizationId, id);
  }

  @Post()
  @ApiOperation({ summary: 'Save a view; 422 lists the problems of a bad filter, 409 when the name is taken' })
  create(@CurrentAuth() auth: AuthContext, @Body() body: CreateViewDto) {
    return this.views.create(auth.organizationId, body, `key:${auth.keyId}`);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@CurrentAuth() auth: AuthContext, @Param('id') id: string) {
    await this.views.delete(auth.organizationId, id);
  }
}
