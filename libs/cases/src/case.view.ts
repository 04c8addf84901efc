import type { CaseBlockEntity } from './case-block.entity';
import type { CaseEntity } from './case.entity';

/** The case as the API returns it (SPEC §6), but for its runs: see CaseDetail. */
export interface CaseView {
  id: string;
  type: string;
  status: string;
  statusSet: string;
  workflow: string | null;
  availableActions: string[];
  assignee: string | null;
  tags: string[];
  data: Record<string, unknown>;
  blocks: Array<Pick<CaseBlockEntity, 'key' | 'type' | 'title' | 'data' | 'status' | 'decision'>>;
  version: number;
  parentId: string | null;
  children: Array<{ id: string; type: string; status: string }>;
  createdAt: Date;
  updatedAt: Date;
}

export function toCaseView(
  row: CaseEntity,
  blocks: CaseBlockEntity[],
  availableActions: string[],
  children: Array<Pick<CaseEntity, 'id' | 'type' | 'status'>> = [],
): CaseView {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    statusSet: row.statusSet,
    workflow: row.workflow,
    availableActions,
    assignee: row.assignee,
    tags: row.tags,
    data: row.data,
    blocks: blocks.map(({ key, type, title, data, status, decision }) => ({ key, type, title, data, status, decision })),
    version: row.version,
    parentId: row.parentId,
    children: children.map(({ id, type, status }) => ({ id, type, status })),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** A run as a case's answer lists it (SPEC §6). */
export interface CaseRunSummary {
  id: string;
  workflow: string;
  version: number;
  status: string;
  state: string;
}

/** The case as every route answers it: its view and its runs, oldest first. */
export type CaseDetail = CaseView & { runs: CaseRunSummary[] };
