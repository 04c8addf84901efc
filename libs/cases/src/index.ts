export * from './case.entity';
export * from './case-block.entity';
export * from './case-event.entity';
export * from './case.view';
export * from './cases.service';
export * from './cases.module';
