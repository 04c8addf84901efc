import { Injectable } from '@nestjs/common';
import { Actor } from '@app/common';
import { CaseDetail, CasesService, NewCase } from '@app/cases';
import { WorkflowsService } from '@app/workflows';
import { RunTransaction } from './run-transaction.service';
import { RunsService } from './runs.service';

export interface CaseIntake extends Omit<NewCase, 'statusSet'> {
  /** Key of a workflow to start on the new case at once. */
  workflow?: string;
  statusSet?: string;
}

/** Creating a case, and starting its workflow, in one transaction: no case is left without its run. */
@Injectable()
export class CaseIntakeService {
  constructor(
    private readonly transaction: RunTransaction,
    private readonly cases: CasesService,
    private readonly runs: RunsService,
    private readonly workflows: WorkflowsService,
  ) {}

  async create(organizationId: string, intake: CaseIntake, actor: Actor): Promise<CaseDetail> {
    const created = await this.transaction.run(async (manager, outbox) => {
      // A case started with a workflow takes its status set; a conflicting one, or a case type the
      // workflow does not run on, is refused when the run starts and the whole intake rolls back.
      const statusSet =
        intake.statusSet ?? (intake.workflow ? ((await this.workflows.latest(organizationId, intake.workflow, manager)).definition.statusSet ?? 'default') : undefined);
      const row = await this.cases.create(manager, organizationId, { ...intake, statusSet }, actor);
      if (intake.workflow) await this.runs.startInTransaction(manager, outbox, organizationId, row.id, intake.workflow);
      return row;
    });
    return this.cases.detail(organizationId, created.id);
  }
}
