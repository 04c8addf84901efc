export * from './data-source.options';
export * from './ensure-database.util';
export * from './persistence.module';
export * from './database-url.util';
export * from './sql-script.util';
export * from './folded-transaction';
