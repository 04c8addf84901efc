import { Module } from '@nestjs/common';
import { RunsModule } from '@app/runs';
import { WorkerMetricsServer } from './metrics.server';
import { ReconcileScheduler } from './reconcile.scheduler';
import { StepProcessor } from './step.processor';

/** The queue shell: one processor per queue over the runs library. */
@Module({
  imports: [RunsModule],
  providers: [StepProcessor, ReconcileScheduler, WorkerMetricsServer],
})
export class WorkerModule {}
