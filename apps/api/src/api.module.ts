import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { AuthModule } from '@app/auth';
import { CasesModule } from '@app/cases';
import { RunsModule } from '@app/runs';
import { StatusesModule } from '@app/statuses';
import { WorkflowsModule } from '@app/workflows';
import { AdminController } from './admin/admin.controller';
import { ApiKeyGuard } from './auth/api-key.guard';
import { CaseReviewController } from './cases/case-review.controller';
import { CasesController } from './cases/cases.controller';
import { ErrorFilter } from './filters/error.filter';
import { HealthController } from './health/health.controller';
import { RunsController } from './runs/runs.controller';
import { StartupService } from './startup/startup.service';
import { WorkflowsController } from './workflows/workflows.controller';

/** The HTTP shell: controllers, the key guard and the error filter over the domain libraries. */
@Module({
  imports: [TerminusModule, AuthModule, StatusesModule, WorkflowsModule, CasesModule, RunsModule],
  controllers: [WorkflowsController, CasesController, CaseReviewController, RunsController, AdminController, HealthController],
  providers: [StartupService, { provide: APP_GUARD, useClass: ApiKeyGuard }, { provide: APP_FILTER, useClass: ErrorFilter }],
})
export class ApiModule {}
