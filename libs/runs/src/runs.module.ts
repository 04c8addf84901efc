import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActionsModule } from '@app/actions';
import { CasesModule } from '@app/cases';
import { WorkflowsModule } from '@app/workflows';
import { CaseActionsService } from './case-actions.service';
import { CaseIntakeService } from './case-intake.service';
import { RunHistoryEntity } from './run-history.entity';
import { RunTransaction } from './run-transaction.service';
import { RunEntity } from './run.entity';
import { RunRepository } from './run.repository';
import { RunsService } from './runs.service';
import { StepExecutionEntity } from './step-execution.entity';
import { StepBatchRepository } from './step-batch.repository';
import { StepExecutorService } from './step-executor.service';
import { StepReconcilerService } from './step-reconciler.service';

@Module({
  imports: [TypeOrmModule.forFeature([RunEntity, StepExecutionEntity, RunHistoryEntity]), ActionsModule, CasesModule, WorkflowsModule],
  providers: [RunTransaction, RunRepository, StepBatchRepository, RunsService, StepExecutorService, StepReconcilerService, CaseIntakeService, CaseActionsService],
  exports: [RunsService, StepExecutorService, StepReconcilerService, CaseIntakeService, CaseActionsService],
})
export class RunsModule {}
