import { ConfigError, loadConfig } from './caseflow.config';

describe('loadConfig', () => {
  it('gives defaults that work on a developer machine', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      CASEFLOW_QUEUE_PREFIX: 'caseflow',
      WORKER_CONCURRENCY: 64,
      CASEFLOW_ENV_ALLOW: [],
      CASEFLOW_BODY_LIMIT: '1mb',
      CASEFLOW_WORKFLOWS_DIR: 'workflows',
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.WORKER_METRICS_PORT).toBeUndefined();
  });

  it('reads numbers and comma-separated lists', () => {
    const config = loadConfig({ PORT: '8080', WORKER_CONCURRENCY: '4', WORKER_METRICS_PORT: '9464', CASEFLOW_ENV_ALLOW: ' REGISTRY_URL, CRM_WEBHOOK ,' });
    expect(config.PORT).toBe(8080);
    expect(config.WORKER_METRICS_PORT).toBe(9464);
    expect(config.WORKER_CONCURRENCY).toBe(4);
    expect(config.CASEFLOW_ENV_ALLOW).toEqual(['REGISTRY_URL', 'CRM_WEBHOOK']);
  });

  it('refuses a metrics port that is not a port', () => {
    expect(() => loadConfig({ WORKER_METRICS_PORT: '70000' })).toThrow('WORKER_METRICS_PORT: WORKER_METRICS_PORT must be a port number (1-65535)');
  });

  it('refuses bad values with one line per variable', () => {
    const attempt = () =>
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', CASEFLOW_QUEUE_PREFIX: 'a:b', CASEFLOW_ADMIN_KEY: 'short' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      [
        'Invalid configuration:',
        '  - PORT: PORT must be a port number (0-65535)',
        '  - DATABASE_URL: DATABASE_URL must look like postgres://user@host:5432/caseflow',
        '  - CASEFLOW_ADMIN_KEY: CASEFLOW_ADMIN_KEY must be at least 16 characters',
        '  - CASEFLOW_QUEUE_PREFIX: CASEFLOW_QUEUE_PREFIX may hold letters, digits, "-" and "_" only',
      ].join('\n'),
    );
  });
});
