import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Actor } from '@app/common';
import { BlockAction, CaseBlocksService } from './case-blocks.service';
import { CaseDetail } from './case.view';
import { CasesService } from './cases.service';

/** A reviewer's changes that concern only the case: blocks, assignment, tags. Each is one transaction. */
@Injectable()
export class CaseReviewService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cases: CasesService,
    private readonly blocks: CaseBlocksService,
  ) {}

  editBlock(organizationId: string, caseId: string, key: string, change: { data?: unknown; title?: string }, actor: Actor, expectedVersion?: number): Promise<CaseDetail> {
    return this.dataSource.transaction(async (manager) => {
      await this.blocks.edit(manager, organizationId, caseId, key, change, actor, expectedVersion);
      return this.cases.detail(organizationId, caseId, manager);
    });
  }

  decideBlock(organizationId: string, caseId: string, key: string, action: BlockAction, reason: string | null, actor: Actor): Promise<CaseDetail> {
    return this.dataSource.transaction(async (manager) => {
      await this.blocks.decide(manager, organizationId, caseId, key, action, reason, actor);
      return this.cases.detail(organizationId, caseId, manager);
    });
  }

  assign(organizationId: string, caseId: string, assignee: string | null, actor: Actor, expectedVersion?: number): Promise<CaseDetail> {
    return this.dataSource.transaction(async (manager) => {
      await this.cases.assign(manager, organizationId, caseId, assignee, actor, expectedVersion);
      return this.cases.detail(organizationId, caseId, manager);
    });
  }

  changeTags(organizationId: string, caseId: string, change: { add?: string[]; remove?: string[] }, actor: Actor): Promise<CaseDetail> {
    return this.dataSource.transaction(async (manager) => {
      await this.cases.changeTags(manager, organizationId, caseId, change, actor);
      return this.cases.detail(organizationId, caseId, manager);
    });
  }
}
