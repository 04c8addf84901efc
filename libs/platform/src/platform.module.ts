import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { CaseflowConfig, ConfigModule } from '@app/common';
import { PersistenceModule } from '@app/persistence';
import { QueueModule } from '@app/queue';
import type { Logger as PinoInstance } from 'pino';
import { createRootLogger, ROOT_LOGGER } from './logging';

/**
 * Process-wide infrastructure, imported once by each process's root module: validated config,
 * structured logs, the PostgreSQL connection (migrations applied) and the Redis/BullMQ connection.
 * The API and worker modules compose on top of it, alone or together.
 */
@Module({
  imports: [
    ConfigModule,
    LoggerModule.forRootAsync({
      providers: [{ provide: ROOT_LOGGER, inject: [CaseflowConfig], useFactory: (config: CaseflowConfig) => createRootLogger(config.LOG_LEVEL) }],
      inject: [ROOT_LOGGER],
      // nestjs-pino carries Nest's logs to pino. Its request middleware is not installed (no
      // routes): the API installs its own request log, which does without a per-request context
      // (see requestLogger).
      useFactory: (logger: PinoInstance) => ({ pinoHttp: { logger }, forRoutes: [] }),
    }),
    PersistenceModule,
    QueueModule,
  ],
  exports: [ConfigModule, QueueModule],
})
export class PlatformModule {}
