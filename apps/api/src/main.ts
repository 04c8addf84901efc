import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { Module } from '@nestjs/common';
import { CaseflowConfig, runMain } from '@app/common';
import { PlatformModule } from '@app/platform';
import { ApiModule } from './api.module';
import { configureApi } from './configure-app';

@Module({ imports: [PlatformModule, ApiModule] })
class ApiAppModule {}

/** `npm run start:api`: the HTTP API alone; run workers with `npm run start:worker`. */
async function bootstrap() {
  const app = await NestFactory.create(ApiAppModule, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  configureApi(app);
  const { PORT } = app.get(CaseflowConfig);
  await app.listen(PORT);
  app.get(Logger).log(`Caseflow API listening on http://localhost:${PORT} (OpenAPI at /docs)`);
}

runMain('Caseflow API', bootstrap);
