import { Client, QueryResultRow } from 'pg';

/** The chaos run's database, read directly: PostgreSQL is the record, whatever the API says. */
export class ChaosDatabase {
  readonly name: string;
  private readonly serverUrl: string;

  constructor(readonly url: string) {
    const parsed = new URL(url);
    this.name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    if (!/^[a-z_][a-z0-9_]*$/.test(this.name)) throw new Error(`CHAOS_DATABASE_URL must name a database of lower-case letters, digits and "_" (got "${this.name}")`);
    parsed.pathname = '/postgres';
    this.serverUrl = parsed.toString();
  }

  async recreate(): Promise<void> {
    await this.onServer(async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${this.name}`);
    });
  }

  async drop(): Promise<void> {
    await this.onServer((client) => client.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`));
  }

  /** One query on a connection of its own, so a PostgreSQL restart costs one failed call, not the driver. */
  async query<T extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.url, application_name: 'caseflow-chaos', connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Runs and steps by status, for progress lines and to know when every run is done. */
  async progress(): Promise<{ runs: number; completed: number; notCompleted: number; stepsDone: number; stepsPending: number; lastEndedAt: Date | null }> {
    const [row] = await this.query<{ runs: number; completed: number; last_ended_at: Date | null; steps_done: number; steps_pending: number }>(
      `SELECT (SELECT count(*)::int FROM runs) AS runs,
              (SELECT count(*)::int FROM runs WHERE status = 'completed') AS completed,
              (SELECT max(ended_at) FROM runs) AS last_ended_at,
              (SELECT count(*)::int FROM step_executions WHERE status = 'succeeded') AS steps_done,
              (SELECT count(*)::int FROM step_executions WHERE status IN ('queued', 'running')) AS steps_pending`,
    );
    return {
      runs: row.runs,
      completed: row.completed,
      notCompleted: row.runs - row.completed,
      stepsDone: row.steps_done,
      stepsPending: row.steps_pending,
      lastEndedAt: row.last_ended_at,
    };
  }

  private async onServer<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: this.serverUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
}
