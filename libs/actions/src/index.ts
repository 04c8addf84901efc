export * from './workflow-action.interface';
export * from './workflow-action.decorator';
export * from './action-registry.service';
export * from './actions.module';
export * from './builtin';
