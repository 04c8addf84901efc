import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { CaseflowConfig, loadConfig, runMain } from '@app/common';
import { PlatformModule } from '@app/platform';
import { ApiModule } from '../../api/src/api.module';
import { configureApi } from '../../api/src/configure-app';
import { HttpAdapter } from '../../api/src/http-adapter';
import { WorkerModule } from '../../worker/src/worker.module';

@Module({ imports: [PlatformModule, ApiModule, WorkerModule] })
class ServerModule {}

/** `npm start`: the API and a worker in one process, for development and small deployments. */
async function bootstrap() {
  loadConfig(); // fail fast, before any connection, with one readable message
  const app = await NestFactory.create(ServerModule, new HttpAdapter(), { bufferLogs: true, bodyParser: false, abortOnError: false });
  app.useLogger(app.get(Logger));
  configureApi(app);
  const { PORT } = app.get(CaseflowConfig);
  await app.listen(PORT);
  app.get(Logger).log(`Caseflow (API + worker) listening on http://localhost:${PORT} (OpenAPI at /docs)`);
}

runMain('Caseflow', bootstrap);
