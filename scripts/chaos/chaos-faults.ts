import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import IORedis from 'ioredis';
import { Client } from 'pg';

const run = promisify(execFile);

/** Deletes every Redis key of the prefix (SCAN + DEL): what an emptied or restarted Redis leaves. */
export async function deletePrefixKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export interface PgRestart {
  /** The command that restarts the cluster, when this machine lets us run it. */
  command?: { file: string; args: string[] };
  /** Why there will be no restart. */
  skipReason?: string;
}

/**
 * Finds out whether PostgreSQL can be restarted from here: a local server managed by Debian's
 * pg_ctlcluster, which we may run (we are root or the postgres user). Only `status` is run now.
 */
export async function planPgRestart(databaseUrl: string, skip: boolean): Promise<PgRestart> {
  if (skip) return { skipReason: 'CHAOS_SKIP_PG_RESTART is set' };
  const host = new URL(databaseUrl).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) return { skipReason: `PostgreSQL is not local (${host})` };
  let versions: string[];
  try {
    versions = readdirSync('/etc/postgresql').filter((name) => /^\d+$/.test(name));
  } catch {
    return { skipReason: 'no /etc/postgresql (not a Debian-managed cluster)' };
  }
  if (versions.length !== 1) return { skipReason: `expected one cluster version in /etc/postgresql, found ${versions.length}` };
  const args = ['--skip-systemctl-redirect', versions[0], 'main'];
  try {
    await run('pg_ctlcluster', [...args, 'status'], { timeout: 10_000 });
  } catch (error) {
    return { skipReason: `pg_ctlcluster ${versions[0]} main status failed: ${(error as Error).message.split('\n')[0]}` };
  }
  return { command: { file: 'pg_ctlcluster', args: [...args, 'restart'] } };
}

export interface PgRestartResult {
  ok: boolean;
  durationMs: number;
  error?: string;
  /** Sessions of other databases that the restart cut off too (the server is shared). */
  otherSessions: number;
}

export async function restartPg(plan: PgRestart, databaseUrl: string): Promise<PgRestartResult> {
  const otherSessions = await countOtherSessions(databaseUrl).catch(() => -1);
  const started = Date.now();
  if (!plan.command) return { ok: false, durationMs: 0, error: plan.skipReason, otherSessions };
  try {
    await run(plan.command.file, plan.command.args, { timeout: 120_000 });
    return { ok: true, durationMs: Date.now() - started, otherSessions };
  } catch (error) {
    return { ok: false, durationMs: Date.now() - started, error: (error as Error).message.split('\n')[0], otherSessions };
  }
}

async function countOtherSessions(databaseUrl: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname IS NOT NULL AND datname <> current_database() AND backend_type = 'client backend'`,
    );
    return rows[0].count;
  } finally {
    await client.end();
  }
}
