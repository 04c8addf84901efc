import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { Module } from '@nestjs/common';
import { CaseflowConfig, loadConfig, runMain } from '@app/common';
import { PlatformModule } from '@app/platform';
import { ApiModule } from './api.module';
import { configureApi } from './configure-app';
import { HttpAdapter } from './http-adapter';

@Module({ imports: [PlatformModule, ApiModule] })
class ApiAppModule {}

/** `npm run start:api`: the HTTP API alone; run workers with `npm run start:worker`. */
async function bootstrap() {
  loadConfig(); // fail fast, before any connection, with one readable message
  const app = await NestFactory.create(ApiAppModule, new HttpAdapter(), { bufferLogs: true, bodyParser: false, abortOnError: false });
  app.useLogger(app.get(Logger));
  configureApi(app);
  const { PORT } = app.get(CaseflowConfig);
  await app.listen(PORT);
  app.get(Logger).log(`Caseflow API listening on http://localhost:${PORT} (OpenAPI at /docs)`);
}

runMain('Caseflow API', bootstrap);
