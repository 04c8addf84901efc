export * from './queue-names';
export * from './step-job.types';
export * from './job-options';
export * from './step-queue';
export * from './redis-options.util';
export * from './queue.module';
export * from './local-redis.util';
export * from './redis-policy.util';
