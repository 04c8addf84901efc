import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CaseflowConfig } from '@app/common';
import { dataSourceOptions } from './data-source.options';
import { resolveDatabaseUrl } from './database-url.util';

/**
 * The one TypeORM connection of a process. The database is created if missing and migrations are
 * applied before anything else touches it, so `npm start` works on an empty server.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [CaseflowConfig],
      useFactory: async (config: CaseflowConfig) => {
        const url = await resolveDatabaseUrl(config);
        return { ...dataSourceOptions(url), autoLoadEntities: true, migrationsRun: true };
      },
    }),
  ],
})
export class PersistenceModule {}
