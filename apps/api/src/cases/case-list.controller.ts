import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '@app/common';
import { CaseListService, mergeFilters } from '@app/cases';
import { ViewsService } from '@app/views';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { ApiKeyAuth } from '../openapi/api-key-auth.decorator';
import { CaseListQueryPipe, CaseListRequest } from './case-list-query.pipe';
import { CaseListQueryDto } from './dto/case-list-query.dto';
import { CaseListPageResponse } from './dto/case-list.response';

@ApiTags('cases')
@ApiKeyAuth()
@Controller('cases')
export class CaseListController {
  constructor(
    private readonly caseList: CaseListService,
    private readonly views: ViewsService,
  ) {}

  @Get()
  @Roles('reviewer')
  @ApiOperation({
    summary: 'Cases newest first, in keyset pages: `{ items, nextCursor }`; filter by a view and/or parameters',
    description: 'Besides the parameters below, `data.<path>=<value>` (e.g. `data.company.country=HK`) keeps the cases whose data holds that value; repeat it to accept any of several values.',
  })
  // Documents the parameters; the pipe validates them (the declared type must stay a plain object
  // so that the global validation pipe leaves the open-ended `data.<path>` parameters to it).
  @ApiQuery({ type: CaseListQueryDto })
  @ApiOkResponse({ type: CaseListPageResponse })
  @ApiErrors({
    400: ['VALIDATION_FAILED', 'INVALID_FILTER', 'INVALID_CURSOR', 'INVALID_QUERY'],
    404: ['VIEW_NOT_FOUND'],
    422: ['INVALID_VIEW_FILTER (the view holds a filter this version cannot run)'],
  })
  async list(@CurrentAuth() auth: AuthContext, @Query(CaseListQueryPipe) query: CaseListRequest) {
    const filter = query.view ? mergeFilters(await this.views.filterOf(auth.organizationId, query.view), query.filter) : query.filter;
    return this.caseList.list(auth.organizationId, { filter, q: query.q, cursor: query.cursor, limit: query.limit });
  }
}
