import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StatusesModule } from '@app/statuses';
import { CaseBlockEntity } from './case-block.entity';
import { CaseEventEntity } from './case-event.entity';
import { CaseEntity } from './case.entity';
import { CaseAuditService } from './case-audit.service';
import { CaseBlocksService } from './case-blocks.service';
import { CaseDecisionsService } from './case-decisions.service';
import { CaseReviewService } from './case-review.service';
import { CaseStatusUpdatesService } from './case-status-updates.service';
import { CaseListRepository } from './case-list.repository';
import { CaseListService } from './case-list.service';
import { CasesService } from './cases.service';
import { CaseStatusChangesService } from './case-status-changes.service';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { IdempotencyRepository } from './idempotency.repository';

@Module({
  imports: [TypeOrmModule.forFeature([CaseEntity, CaseBlockEntity, CaseEventEntity, IdempotencyKeyEntity]), StatusesModule],
  providers: [CasesService, CaseStatusChangesService, CaseAuditService, CaseBlocksService, CaseDecisionsService, CaseStatusUpdatesService, CaseReviewService, IdempotencyRepository, CaseListRepository, CaseListService],
  exports: [CasesService, CaseStatusChangesService, CaseAuditService, CaseBlocksService, CaseDecisionsService, CaseStatusUpdatesService, CaseReviewService, CaseListRepository, CaseListService],
})
export class CasesModule {}
