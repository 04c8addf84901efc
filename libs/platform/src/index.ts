export * from './platform.module';
export * from './logging';
