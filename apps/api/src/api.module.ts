import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { AuthModule } from '@app/auth';
import { CaseflowConfig } from '@app/common';
import { CasesModule } from '@app/cases';
import { RunsModule } from '@app/runs';
import { StatusesModule } from '@app/statuses';
import { ViewsModule } from '@app/views';
import { WorkflowsModule } from '@app/workflows';
import { AdminController } from './admin/admin.controller';
import { ApiKeyGuard } from './auth/api-key.guard';
import { KeyThrottlerGuard } from './auth/key-throttler.guard';
import { CaseReviewController } from './cases/case-review.controller';
import { CaseListController } from './cases/case-list.controller';
import { CasesController } from './cases/cases.controller';
import { ErrorFilter } from './filters/error.filter';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { RunsController } from './runs/runs.controller';
import { StartupService } from './startup/startup.service';
import { ViewsController } from './views/views.controller';
import { WorkflowsController } from './workflows/workflows.controller';

/** The HTTP shell: controllers, the key guard and the error filter over the domain libraries. */
@Module({
  imports: [
    TerminusModule,
    ThrottlerModule.forRootAsync({
      inject: [CaseflowConfig],
      useFactory: (config: CaseflowConfig) => ({
        // Named `default`: @SkipThrottle() and the standard Retry-After header refer to that name.
        throttlers: [{ name: 'default', ttl: 60_000, limit: config.CASEFLOW_RATE_LIMIT }],
        skipIf: () => config.CASEFLOW_RATE_LIMIT === 0,
        // One budget per key across all routes (the default counts each route apart).
        generateKey: (_context, tracker, throttler) => `${throttler}:${tracker}`,
      }),
    }),
    AuthModule, StatusesModule, WorkflowsModule, CasesModule, RunsModule, ViewsModule],
  controllers: [WorkflowsController, CasesController, CaseReviewController, RunsController, AdminController, HealthController, MetricsController, CaseListController, ViewsController],
  providers: [
    StartupService,
    // In this order: the key guard resolves the caller, then the throttler counts per key.
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: KeyThrottlerGuard },
    { provide: APP_FILTER, useClass: ErrorFilter },
  ],
})
export class ApiModule {}
