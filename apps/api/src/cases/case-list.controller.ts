import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '@app/common';
import { CaseListService, mergeFilters } from '@app/cases';
import { ViewsService } from '@app/views';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { Roles } from '../auth/roles.decorator';
import { CaseListQueryPipe, CaseListRequest } from './case-list-query.pipe';
import { CaseListQueryDto } from './dto/case-list-query.dto';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases')
export class CaseListController {
  constructor(
    private readonly caseList: CaseListService,
    private readonly views: ViewsService,
  ) {}

  @Get()
  @Roles('reviewer')
  @ApiOperation({ summary: 'Cases newest first, in keyset pages: `{ items, nextCursor }`; filter by a view and/or parameters' })
  // Documents the parameters; the pipe validates them (the declared type must stay a plain object
  // so that the global validation pipe leaves the open-ended `data.<path>` parameters to it).
  @ApiQuery({ type: CaseListQueryDto })
  async list(@CurrentAuth() auth: AuthContext, @Query(CaseListQueryPipe) query: CaseListRequest) {
    const filter = query.view ? mergeFilters(await this.views.filterOf(auth.organizationId, query.view), query.filter) : query.filter;
    return this.caseList.list(auth.organizationId, { filter, q: query.q, cursor: query.cursor, limit: query.limit });
  }
}
