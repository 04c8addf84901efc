import { Module } from '@nestjs/common';
import { RunsModule } from '@app/runs';
import { MaintenanceProcessor } from './maintenance.processor';
import { StepProcessor } from './step.processor';

/** The queue shell: one processor per queue over the runs library. */
@Module({
  imports: [RunsModule],
  providers: [StepProcessor, MaintenanceProcessor],
})
export class WorkerModule {}
