import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source.options';

/** The DataSource the TypeORM CLI uses (`npm run migration:*`); the apps build theirs from the same options. */
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/caseflow'));
