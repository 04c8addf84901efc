import { Logger } from '@nestjs/common';
import { CaseflowConfig } from '@app/common';
import { ensureDatabase } from './ensure-database.util';
import { startEmbeddedPostgres } from './embedded-postgres.util';

/** DATABASE_URL when set (database created if missing); otherwise an embedded PostgreSQL under .caseflow/. */
export async function resolveDatabaseUrl(config: CaseflowConfig): Promise<string> {
  const url = config.DATABASE_URL ?? (await startEmbeddedPostgres());
  await ensureDatabase(url);
  new Logger('Persistence').log(`Using PostgreSQL at ${redactUrl(url)}`);
  return url;
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable url)';
  }
}
