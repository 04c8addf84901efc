import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';

/**
 * Where the tests find PostgreSQL and Redis: the machine's own, or TEST_DATABASE_URL / TEST_REDIS_URL.
 * Each suite gets its own database and BullMQ prefix, so suites never see each other.
 */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface SuiteResources {
  name: string;
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  workflowsDir: string;
  /** Drops the database, the suite's Redis keys and temp files. */
  release(): Promise<void>;
}

function serverUrlFor(database: string): string {
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createSuiteResources(suite: string): Promise<SuiteResources> {
  const name = `cf_test_${suite.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const workflowsDir = mkdtempSync(join(tmpdir(), `${name}-workflows-`));
  return {
    name,
    databaseUrl: serverUrlFor(name),
    redisUrl: TEST_REDIS_URL,
    queuePrefix: name,
    workflowsDir,
    async release() {
      const client = new Client({ connectionString: TEST_SERVER_URL });
      await client.connect();
      await waitForSessionsToEnd(client, name);
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      await deleteRedisKeys(TEST_REDIS_URL, `${name}:*`);
      rmSync(workflowsDir, { recursive: true, force: true });
    },
  };
}

/**
 * pg-pool's end() resolves once its clients are told to end, not once their sessions are gone; a
 * DROP ... WITH (FORCE) in that moment terminates them, and the closed app's pool logs the
 * termination as an error. Its sessions end within milliseconds: wait for them (FORCE stays for
 * whatever a failed suite leaves behind).
 */
async function waitForSessionsToEnd(client: Client, database: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await client.query<{ sessions: number }>('SELECT count(*)::int AS sessions FROM pg_stat_activity WHERE datname = $1', [database]);
    if (rows[0].sessions === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function deleteRedisKeys(redisUrl: string, pattern: string): Promise<number> {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
