import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConflictError, isUuid, NotFoundError, UnprocessableError } from '@app/common';
import { CaseFilter, CaseListService, parseCaseFilter } from '@app/cases';
import { ViewEntity } from './view.entity';

export interface NewView {
  name: string;
  /** Untrusted: validated here, so no caller can store a filter the list cannot run. */
  filter: unknown;
  position?: number;
}

export interface ViewSummary {
  id: string;
  name: string;
  filter: CaseFilter;
  position: number;
  createdBy: string;
  createdAt: Date;
}

export interface CountedView extends ViewSummary {
  count: number;
  capped: boolean;
}

/** Every GET /views counts every view: the bound keeps that a bounded amount of work. */
export const MAX_VIEWS_PER_ORGANIZATION = 100;
/** Counts run a few at a time, so one sidebar cannot take the whole connection pool. */
const COUNT_CONCURRENCY = 4;
const NAME = /^[^\u0000-\u001f\u007f]{1,100}$/;

@Injectable()
export class ViewsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly caseList: CaseListService,
  ) {}

  async create(organizationId: string, input: NewView, createdBy: string): Promise<ViewSummary> {
    const name = input.name.trim();
    if (!NAME.test(name)) throw new UnprocessableError('INVALID_VIEW_NAME', 'name must be 1-100 characters without control characters.');
    const { filter, problems } = parseCaseFilter(input.filter);
    if (!filter) {
      throw new UnprocessableError('INVALID_FILTER', `The filter has ${problems.length} problem(s).`, {
        problems: problems.map((problem) => ({ path: `/filter${problem.path}`, message: problem.message })),
      });
    }
    const existing = await this.dataSource.manager.count(ViewEntity, { where: { organizationId } });
    if (existing >= MAX_VIEWS_PER_ORGANIZATION) {
      throw new UnprocessableError('TOO_MANY_VIEWS', `An organization may keep at most ${MAX_VIEWS_PER_ORGANIZATION} views; delete one first.`);
    }
    // ON CONFLICT rather than a check first: of two concurrent creations of one name, one wins.
    const inserted = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(ViewEntity)
      .values({ organizationId, name, filter, position: input.position ?? existing, createdBy })
      .orIgnore()
      .returning('id')
      .execute();
    if (inserted.raw.length === 0) throw new ConflictError('VIEW_EXISTS', `A view named "${name}" already exists.`, { name });
    return summary(await this.find(organizationId, inserted.raw[0].id));
  }

  /** The organization's views in sidebar order, each with its capped count of matching cases. */
  async list(organizationId: string): Promise<CountedView[]> {
    const views = await this.dataSource.manager.find(ViewEntity, {
      where: { organizationId },
      order: { position: 'ASC', createdAt: 'ASC', id: 'ASC' },
    });
    const counted: CountedView[] = [];
    for (let i = 0; i < views.length; i += COUNT_CONCURRENCY) {
      counted.push(...(await Promise.all(views.slice(i, i + COUNT_CONCURRENCY).map((view) => this.counted(view)))));
    }
    return counted;
  }

  async get(organizationId: string, id: string): Promise<CountedView> {
    return this.counted(await this.find(organizationId, id));
  }

  /** The view's filter, for the case list's `view=`; 404 when the organization has no such view. */
  async filterOf(organizationId: string, id: string): Promise<CaseFilter> {
    return storedFilter(await this.find(organizationId, id));
  }

  async delete(organizationId: string, id: string): Promise<void> {
    if (!isUuid(id)) throw new NotFoundError('View', id);
    const result = await this.dataSource.manager.delete(ViewEntity, { id, organizationId });
    if (!result.affected) throw new NotFoundError('View', id);
  }

  private async find(organizationId: string, id: string): Promise<ViewEntity> {
    const found = isUuid(id) ? await this.dataSource.manager.findOne(ViewEntity, { where: { id, organizationId } }) : null;
    if (!found) throw new NotFoundError('View', id);
    return found;
  }

  private async counted(view: ViewEntity): Promise<CountedView> {
    return { ...summary(view), ...(await this.caseList.count(view.organizationId, storedFilter(view))) };
  }
}

/**
 * Stored filters were validated on the way in; they are parsed again on the way out so that the
 * list only ever runs a filter of today's language, even for a row written by an older version.
 */
function storedFilter(view: ViewEntity): CaseFilter {
  const { filter, problems } = parseCaseFilter(view.filter);
  if (!filter) throw new UnprocessableError('INVALID_VIEW_FILTER', `View ${view.id} holds a filter this version cannot run.`, { problems });
  return filter;
}

function summary(view: ViewEntity): ViewSummary {
  const { id, name, filter, position, createdBy, createdAt } = view;
  return { id, name, filter, position, createdBy, createdAt };
}
