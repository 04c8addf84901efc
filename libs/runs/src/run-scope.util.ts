import type { CaseEntity } from '@app/cases';
import type { GuardScope, RunContext } from '@app/workflow-core';
import type { RunEntity } from './run.entity';

/** What guards and templates see of the case: its public shape, not its storage. */
export function caseScope(row: CaseEntity) {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    statusSet: row.statusSet,
    assignee: row.assignee,
    tags: row.tags,
    data: row.data,
    version: row.version,
    parentId: row.parentId,
  };
}

/** The fields of a run guards and templates read. */
export type ScopedRun = Pick<RunEntity, 'id' | 'workflowKey' | 'workflowVersion' | 'state' | 'status' | 'snapshot'>;

export function runScope(run: ScopedRun) {
  return { id: run.id, workflow: run.workflowKey, version: run.workflowVersion, state: run.state, status: run.status };
}

export function guardScope(run: ScopedRun, row: CaseEntity): GuardScope {
  return { case: caseScope(row), run: runScope(run) };
}

/** The scope step params are rendered against when the step executes. */
export function templateScope(run: ScopedRun, row: CaseEntity | null, env: Record<string, string>) {
  const context: RunContext = run.snapshot.context;
  return {
    case: row ? caseScope(row) : null,
    run: runScope(run),
    steps: context.steps,
    vars: context.vars,
    event: context.event ?? null,
    env,
  };
}
