export * from './status-set.entity';
export * from './status.entity';
export * from './built-in-status-sets';
export * from './statuses.service';
export * from './statuses.module';
