export * from './workflow-definition.entity';
export * from './workflow-version.entity';
export * from './canonical-json.util';
export * from './workflows.service';
export * from './workflow-folder.publisher';
export * from './workflows.module';
