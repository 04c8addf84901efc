import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { CaseflowConfig, ConfigModule } from '@app/common';
import { PersistenceModule } from '@app/persistence';
import { QueueModule } from '@app/queue';

/**
 * Process-wide infrastructure, imported once by each process's root module: validated config,
 * structured logs, the PostgreSQL connection (migrations applied) and the Redis/BullMQ connection.
 * The API and worker modules compose on top of it, alone or together.
 */
@Module({
  imports: [
    ConfigModule,
    LoggerModule.forRootAsync({
      inject: [CaseflowConfig],
      useFactory: (config: CaseflowConfig) => ({
        forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        pinoHttp: {
          level: config.LOG_LEVEL,
          // JSON lines for machines; readable lines when a person watches a terminal.
          transport: process.stdout.isTTY ? { target: 'pino-pretty', options: { singleLine: true, ignore: 'pid,hostname' } } : undefined,
          // Keys and bodies never reach the logs.
          redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'], censor: '[redacted]' },
          autoLogging: { ignore: (req) => req.url === '/metrics' || (req.url ?? '').startsWith('/v1/health') },
          customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
        },
      }),
    }),
    PersistenceModule,
    QueueModule,
  ],
  exports: [ConfigModule, QueueModule],
})
export class PlatformModule {}
