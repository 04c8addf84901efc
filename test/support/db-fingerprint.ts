import type { DataSource } from 'typeorm';

/** Row count and a digest of every row, per table: equal fingerprints mean nothing was written. */
export type DbFingerprint = Record<string, { rows: number; digest: string }>;

/**
 * Fingerprints every table of the application's schema (found at run time, so a table added later
 * is covered too); only the migrations bookkeeping is left out.
 */
export async function fingerprint(db: DataSource): Promise<DbFingerprint> {
  const tables: Array<{ name: string }> = await db.query(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT IN ('migrations', 'typeorm_metadata')
     ORDER BY table_name`,
  );
  const result: DbFingerprint = {};
  for (const { name } of tables) {
    const quoted = `"${name.replace(/"/g, '""')}"`;
    const [row] = await db.query(`SELECT count(*)::int AS rows, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM ${quoted} t`);
    result[name] = { rows: row.rows, digest: row.digest };
  }
  return result;
}

/**
 * Waits until no run is moving and no step is queued or running, so that a fingerprint taken
 * afterwards changes only if a request changes something.
 */
export async function waitForQuiet(db: DataSource, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [{ busy }] = await db.query(
      `SELECT (SELECT count(*) FROM runs WHERE status = 'running') + (SELECT count(*) FROM step_executions WHERE status IN ('queued', 'running'))::int AS busy`,
    );
    if (Number(busy) === 0) return;
    if (Date.now() > deadline) throw new Error(`runs still moving after ${timeoutMs} ms (${busy} busy)`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
