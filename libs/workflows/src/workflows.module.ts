import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActionsModule } from '@app/actions';
import { StatusesModule } from '@app/statuses';
import { WorkflowDefinitionEntity } from './workflow-definition.entity';
import { WorkflowFolderPublisher } from './workflow-folder.publisher';
import { WorkflowVersionEntity } from './workflow-version.entity';
import { WorkflowsService } from './workflows.service';

@Module({
  imports: [TypeOrmModule.forFeature([WorkflowDefinitionEntity, WorkflowVersionEntity]), ActionsModule, StatusesModule],
  providers: [WorkflowsService, WorkflowFolderPublisher],
  exports: [WorkflowsService, WorkflowFolderPublisher],
})
export class WorkflowsModule {}
