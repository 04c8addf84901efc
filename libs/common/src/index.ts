export * from './errors/domain.error';
export * from './auth/auth-context';
export * from './config/caseflow.config';
export * from './config/config.module';
export * from './uuid.util';
export * from './run-main.util';
export * from './process/local-ports.util';
export * from './process/child-shutdown.util';
