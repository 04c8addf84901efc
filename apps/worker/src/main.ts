import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfig, runMain } from '@app/common';
import { PlatformModule } from '@app/platform';
import { WorkerModule } from './worker.module';

@Module({ imports: [PlatformModule, WorkerModule] })
class WorkerAppModule {}

/** `npm run start:worker`: processes step jobs; run as many as you like against one Redis and PostgreSQL. */
async function bootstrap() {
  loadConfig(); // fail fast, before any connection, with one readable message
  const app = await NestFactory.createApplicationContext(WorkerAppModule, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.get(Logger).log('Caseflow worker started');
}

runMain('Caseflow worker', bootstrap);
