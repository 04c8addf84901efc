import { Injectable, PipeTransform } from '@nestjs/common';
import { BadRequestError } from '@app/common';
import { CaseFilter, FilterScalar, parseCaseFilter } from '@app/cases';
import { createValidationPipe } from '../filters/validation.pipe';
import { CaseListQueryDto } from './dto/case-list-query.dto';

export interface CaseListRequest {
  view?: string;
  filter: CaseFilter;
  q?: string;
  cursor?: string;
  limit: number;
}

const DATA_PREFIX = 'data.';
/** How `assignee=` names "no assignee" (the JSON filter language says null). */
const UNASSIGNED = 'null';
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * Turns the list's query string into a validated CaseFilter. The `data.<path>` parameters have
 * open-ended names that no DTO can declare, so they are taken out here and the rest is checked by
 * the same validation pipe as every other DTO (unknown parameters are still refused).
 */
@Injectable()
export class CaseListQueryPipe implements PipeTransform<Record<string, unknown>, Promise<CaseListRequest>> {
  private readonly validation = createValidationPipe();

  async transform(query: Record<string, unknown>): Promise<CaseListRequest> {
    const rest: Record<string, unknown> = {};
    const data: unknown[] = [];
    for (const [key, value] of Object.entries(query ?? {})) {
      if (key.startsWith(DATA_PREFIX)) data.push(dataCondition(key.slice(DATA_PREFIX.length), value));
      else rest[key] = value;
    }
    const dto: CaseListQueryDto = await this.validation.transform(rest, { type: 'query', metatype: CaseListQueryDto });
    const input = {
      ...(dto.workflow && { workflow: dto.workflow }),
      ...(dto.status && { status: dto.status }),
      ...(dto.type && { type: dto.type }),
      ...(dto.tag && { tag: dto.tag }),
      ...(dto.assignee && { assignee: dto.assignee.map((value) => (value === UNASSIGNED ? null : value)) }),
      ...(data.length && { data }),
    };
    const { filter, problems } = parseCaseFilter(input);
    if (!filter) {
      throw new BadRequestError('INVALID_FILTER', `The filter has ${problems.length} problem(s): ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, {
        problems,
      });
    }
    return { view: dto.view, filter, q: dto.q, cursor: dto.cursor, limit: dto.limit };
  }
}

/**
 * `data.riskScore=12` cannot say whether it means the number or the string, so it matches both;
 * likewise true/false/null. Repeating the parameter matches any of the values.
 */
function dataCondition(path: string, raw: unknown): unknown {
  const texts = (Array.isArray(raw) ? raw : [raw]).filter((value): value is string => typeof value === 'string');
  const values: FilterScalar[] = [];
  for (const text of texts) {
    values.push(text);
    if (NUMBER.test(text)) values.push(Number(text));
    else if (text === 'true' || text === 'false') values.push(text === 'true');
    else if (text === 'null') values.push(null);
  }
  return values.length === 1 ? { path, op: 'eq', value: values[0] } : { path, op: 'in', value: values };
}
