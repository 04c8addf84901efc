export * from './platform.module';
export * from './logging';
export * from './request-metrics';
