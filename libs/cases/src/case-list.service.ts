import { Injectable } from '@nestjs/common';
import { BadRequestError } from '@app/common';
import type { CaseFilter } from './case-filter';
import { decodeCursor, encodeCursor, parseSearch } from './case-list-query.util';
import { CaseListRepository, CaseListRow } from './case-list.repository';

export interface CaseListQuery {
  /** Already validated (parseCaseFilter), and merged with a view's filter when there is one. */
  filter?: CaseFilter;
  q?: string;
  cursor?: string;
  limit?: number;
}

export const LIST_LIMITS = { default: 50, max: 200 } as const;

/** The reviewers' case list: keyset pages over a filter, and capped counts for a sidebar. */
@Injectable()
export class CaseListService {
  constructor(private readonly repository: CaseListRepository) {}

  async list(organizationId: string, query: CaseListQuery): Promise<{ items: CaseListRow[]; nextCursor: string | null }> {
    const limit = query.limit ?? LIST_LIMITS.default;
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_LIMITS.max) {
      throw new BadRequestError('INVALID_LIMIT', `limit must be an integer from 1 to ${LIST_LIMITS.max}.`);
    }
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (after === null) throw new BadRequestError('INVALID_CURSOR', 'cursor must be a value returned as nextCursor.');
    const { search, problem } = parseSearch(query.q ?? '');
    if (problem) throw new BadRequestError('INVALID_QUERY', `${problem}.`, { problems: [{ path: '/q', message: problem }] });
    const { rows, next } = await this.repository.page(organizationId, { filter: query.filter ?? {}, search }, { after, limit });
    return { items: rows, nextCursor: next ? encodeCursor(next) : null };
  }

  /** Matching cases counted up to COUNT_CAP: `{ count: 10000, capped: true }` reads "10,000+". */
  count(organizationId: string, filter: CaseFilter): Promise<{ count: number; capped: boolean }> {
    return this.repository.count(organizationId, { filter });
  }
}
