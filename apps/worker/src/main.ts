import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { runMain } from '@app/common';
import { PlatformModule } from '@app/platform';
import { WorkerModule } from './worker.module';

@Module({ imports: [PlatformModule, WorkerModule] })
class WorkerAppModule {}

/** `npm run start:worker`: processes step jobs; run as many as you like against one Redis and PostgreSQL. */
async function bootstrap() {
  const app = await NestFactory.createApplicationContext(WorkerAppModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.get(Logger).log('Caseflow worker started');
}

runMain('Caseflow worker', bootstrap);
