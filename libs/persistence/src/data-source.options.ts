import { DataSourceOptions } from 'typeorm';
import { InitialSchema1763884800000 } from './migrations/1763884800000-initial-schema';
import { CaseManagement1763899200000 } from './migrations/1763899200000-case-management';

/** Migrations are listed, not globbed, so the bundled apps and the CLI run exactly the same set. */
export const MIGRATIONS = [InitialSchema1763884800000, CaseManagement1763899200000];

export function dataSourceOptions(databaseUrl: string, overrides: Partial<DataSourceOptions> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: ['error', 'warn', 'migration'],
    extra: { max: 20, application_name: 'caseflow' },
    ...overrides,
  } as DataSourceOptions;
}
