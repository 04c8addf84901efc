import { chmodSync, existsSync, mkdtempSync, rmSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import path from 'path';
import { Client } from 'pg';
import { startEmbeddedPostgres, stopEmbeddedPostgres } from './embedded-postgres.util';

describe('startEmbeddedPostgres', () => {
  let root: string;
  let dir: string;

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'caseflow-embedded-'));
    // When tests run as root, PostgreSQL runs as another user, who must be able to reach the data directory.
    chmodSync(root, 0o755);
    dir = path.join(root, 'postgres');
  });

  afterAll(async () => {
    await stopEmbeddedPostgres();
    rmSync(root, { recursive: true, force: true });
  });

  it('initialises a cluster, serves queries, and keeps its data across a restart', async () => {
    const port = await freePort();
    const url = await startEmbeddedPostgres({ dir, port });
    expect(url).toMatch(new RegExp(`^postgres://postgres:[^@]+@127\\.0\\.0\\.1:${port}/caseflow$`));

    await query(url, 'CREATE TABLE kept (v int)');
    await query(url, 'INSERT INTO kept VALUES (1)');
    expect(await query(url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);

    await stopEmbeddedPostgres();
    expect(existsSync(path.join(dir, 'postmaster.pid'))).toBe(false);

    const again = await startEmbeddedPostgres({ dir });
    expect(again).toBe(url); // same remembered port and password
    expect(await query(again, 'SELECT v FROM kept')).toEqual([{ v: 1 }]);
    await stopEmbeddedPostgres();
    expect(existsSync(path.join(dir, 'postmaster.pid'))).toBe(false);
  });
});

/** Runs one statement in the `postgres` database (the caller's ensureDatabase creates `caseflow`). */
async function query(url: string, sql: string): Promise<unknown[]> {
  const target = new URL(url);
  target.pathname = '/postgres';
  const client = new Client({ connectionString: target.toString() });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
  });
}
