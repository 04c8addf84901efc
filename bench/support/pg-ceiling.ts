/**
 * The PostgreSQL ceiling: the bare transaction a status change needs, through `pg`, on the real
 * schema (the migrations' cases table, its indexes and foreign keys, the append-only audit table).
 */
import { Client, ClientBase } from 'pg';
import { PING, PONG } from './bench-workflows';
import { cpuBetween, cpuSnapshot, CpuUsage } from './cpu-usage';

/** Cases the raw sections (PostgreSQL ceiling, naive worker) change, each starting in `PING`. */
export async function insertRawCases(databaseUrl: string, organizationId: string, statusSet: string, type: string, count: number): Promise<string[]> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO cases (organization_id, type, status_set, status, data)
       SELECT $1, $2, $3, $4, jsonb_build_object('seq', i) FROM generate_series(1, $5::int) AS i RETURNING id`,
      [organizationId, type, statusSet, PING, count],
    );
    return rows.map((row) => row.id);
  });
}

/** A status change with nothing around it: UPDATE the case, INSERT its audit event, one transaction. */
export async function statusChange(client: ClientBase, organizationId: string, caseId: string, from: string, to: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`UPDATE cases SET status = $2, version = version + 1, updated_at = now() WHERE id = $1`, [caseId, to]);
    await client.query(
      `INSERT INTO case_events (organization_id, case_id, type, actor, source, from_value, to_value, reason)
       VALUES ($1, $2, 'status_changed', 'bench', 'workflow', $3, $4, 'bench raw transaction')`,
      [organizationId, caseId, from, to],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

export const flip = (status: string) => (status === PING ? PONG : PING);

export interface PgCeiling {
  clients: number;
  tps: number;
  transactions: number;
  seconds: number;
  /** Over the measured window; the process is the bench's own (PostgreSQL's backends are not in it). */
  cpu: CpuUsage;
}

/**
 * `clients` connections each changing statuses back to back for warmUpS + measureS seconds; only
 * transactions that end inside the measured window count. Each client owns its own cases (as
 * runs do), so the figure is the database's, not lock waits'.
 */
export async function measurePgCeiling(
  databaseUrl: string,
  organizationId: string,
  caseIds: string[],
  statuses: Map<string, string>,
  clients: number,
  window: { warmUpS: number; measureS: number },
): Promise<PgCeiling> {
  const connections = await Promise.all(Array.from({ length: clients }, () => connect(databaseUrl)));
  try {
    const start = performance.now();
    const measureFrom = start + window.warmUpS * 1000;
    const end = measureFrom + window.measureS * 1000;
    let counted = 0;
    let cpuFrom = cpuSnapshot(process.pid);
    const cpuTimer = setTimeout(() => (cpuFrom = cpuSnapshot(process.pid)), window.warmUpS * 1000);
    await Promise.all(
      connections.map(async (client, lane) => {
        const mine = caseIds.filter((_, i) => i % clients === lane);
        for (let i = 0; performance.now() < end; i++) {
          const caseId = mine[i % mine.length];
          const from = statuses.get(caseId) ?? PING;
          await statusChange(client, organizationId, caseId, from, flip(from));
          statuses.set(caseId, flip(from));
          const at = performance.now();
          if (at >= measureFrom && at <= end) counted++;
        }
      }),
    );
    clearTimeout(cpuTimer);
    const cpu = cpuBetween(cpuFrom, cpuSnapshot(process.pid));
    return { clients, tps: counted / window.measureS, transactions: counted, seconds: window.measureS, cpu };
  } finally {
    await Promise.all(connections.map((client) => client.end()));
  }
}

/** Current status of each case, read back after a section changed them. */
export async function readStatuses(databaseUrl: string, caseIds: string[]): Promise<Map<string, string>> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ id: string; status: string }>(`SELECT id, status FROM cases WHERE id = ANY($1::uuid[])`, [caseIds]);
    return new Map(rows.map((row) => [row.id, row.status]));
  });
}

async function connect(databaseUrl: string): Promise<Client> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'caseflow-bench' });
  await client.connect();
  return client;
}

async function withClient<T>(databaseUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(databaseUrl);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
