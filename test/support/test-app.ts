import { INestApplication, Module, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CaseflowConfig, loadConfig } from '@app/common';
import { PlatformModule } from '@app/platform';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApi } from '../../apps/api/src/configure-app';
import { HttpAdapter } from '../../apps/api/src/http-adapter';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { createSuiteResources, SuiteResources } from './test-environment';
import { TestActionsModule } from './test-actions';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestApp {
  app: INestApplication;
  resources: SuiteResources;
  http: () => ReturnType<typeof request>;
  /** An admin key of the default organization. */
  adminKey: string;
  get<T>(token: Type<T>): T;
  close(): Promise<void>;
}

/**
 * The real application (API, and the worker unless `worker: false`) on a database and queue
 * prefix of its own, against the machine's PostgreSQL and Redis. Nothing is mocked.
 */
export async function startTestApp(suite: string, options: { worker?: boolean; env?: Record<string, string> } = {}): Promise<TestApp> {
  const resources = await createSuiteResources(suite);
  const config = loadConfig({
    DATABASE_URL: resources.databaseUrl,
    REDIS_URL: resources.redisUrl,
    CASEFLOW_QUEUE_PREFIX: resources.queuePrefix,
    CASEFLOW_ADMIN_KEY: TEST_ADMIN_KEY,
    CASEFLOW_WORKFLOWS_DIR: resources.workflowsDir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    // Suites fire requests far faster than any client; the limiter has a suite of its own.
    CASEFLOW_RATE_LIMIT: '0',
    ...options.env,
  });
  const modules = [PlatformModule, ApiModule, TestActionsModule, ...(options.worker === false ? [] : [WorkerModule])];
  @Module({ imports: modules })
  class TestRootModule {}

  const moduleRef = await Test.createTestingModule({ imports: [TestRootModule] })
    .overrideProvider(CaseflowConfig)
    .useValue(config)
    .compile();
  const app = moduleRef.createNestApplication(new HttpAdapter(), { bodyParser: false, logger: false });
  configureApi(app);
  await app.init();
  const server = app.getHttpServer();
  return {
    app,
    resources,
    http: () => request(server),
    adminKey: TEST_ADMIN_KEY,
    get: (token) => app.get(token),
    async close() {
      await app.close();
      await resources.release();
    },
  };
}
