import { DataSource, EntityManager } from 'typeorm';
import { CasesService } from '@app/cases';
import { StepBatchRepository } from '../../libs/runs/src/step-batch.repository';
import { ApiClient } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';
import { twoStepWorkflow } from '../support/workflow-fixtures';

/** Every index a plan (EXPLAIN's JSON) reads, and every table it reads whole. */
function scansOf(plan: PlanNode, found: string[] = []): string[] {
  if (plan['Index Name']) found.push(plan['Index Name']);
  if (plan['Node Type'] === 'Seq Scan') found.push(`seq scan of ${plan['Relation Name']}`);
  for (const child of plan.Plans ?? []) scansOf(child, found);
  return found;
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/**
 * The hot paths' lookups of rows by a list of ids, on a database whose tables have never been
 * analyzed: a new deployment's first minute, or any table that grew faster than autovacuum came
 * round. PostgreSQL then plans without statistics, and each lookup must still go by primary key,
 * not read an organization's whole index or every pending step to find a few rows. The statements
 * are the ones the services send, captured from a real EntityManager and explained on the real
 * PostgreSQL.
 */
describe('lookups by id before PostgreSQL has statistics (PostgreSQL)', () => {
  let testApp: TestApp;
  let pipeline: ApiClient;
  let db: DataSource;
  let organizationId: string;
  let caseIds: string[];

  beforeAll(async () => {
    testApp = await startTestApp('id-lookups', { worker: false });
    db = testApp.get(DataSource);
    // No analysis during the suite, whatever autovacuum's timing: the tables stay unanalyzed.
    for (const table of ['cases', 'step_executions']) await db.query(`ALTER TABLE ${table} SET (autovacuum_enabled = off)`);
    pipeline = await ApiClient.withRole(testApp, 'pipeline');
    await ApiClient.publish(testApp, twoStepWorkflow);
    const created = await pipeline.post('/v1/cases', { type: 'person', data: { name: 'Ada' } });
    expect(created.status).toBe(201);
    organizationId = (await db.query(`SELECT organization_id FROM cases WHERE id = $1`, [created.body.id]))[0].organization_id;
    // An organization of 3,000 cases, all like the first.
    await db.query(
      `INSERT INTO cases (organization_id, type, status_set, status, data)
       SELECT organization_id, type, status_set, status, data FROM cases, generate_series(1, 3000) WHERE id = $1`,
      [created.body.id],
    );
    caseIds = (await db.query(`SELECT id FROM cases ORDER BY random() LIMIT 5`)).map((row: { id: string }) => row.id);
    // One of them a parent, so that its answer's children are looked up too.
    await db.query(`INSERT INTO cases (organization_id, type, status_set, status, parent_id) SELECT organization_id, type, status_set, status, id FROM cases WHERE id = $1`, [caseIds[1]]);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  /** Runs `work` on an EntityManager of its own, and returns the statements it sent with their plans' scans. */
  async function planned(work: (manager: EntityManager) => Promise<unknown>, transaction?: EntityManager): Promise<string[][]> {
    const manager = db.createEntityManager(transaction?.queryRunner);
    const query = jest.spyOn(manager, 'query');
    await work(manager);
    const statements = query.mock.calls.map(([sql]) => sql);
    query.mockRestore();
    expect(statements.length).toBeGreaterThan(0);
    const plans: string[][] = [];
    for (const sql of statements) {
      const [{ 'QUERY PLAN': plan }] = await db.query(`EXPLAIN (FORMAT JSON) ${sql}`);
      plans.push(scansOf(plan[0].Plan));
    }
    return plans;
  }

  it('has tables with no statistics, as the premise of every test here', async () => {
    const tables: Array<{ relname: string; reltuples: number }> = await db.query(`SELECT relname, reltuples FROM pg_class WHERE relname IN ('cases', 'step_executions')`);
    expect(tables.map((table) => table.reltuples)).toEqual([-1, -1]);
  });

  it('reads cases for answers and for guards through the primary key', async () => {
    let details = new Map<string, unknown>();
    let found = new Map<string, unknown>();
    const cases = testApp.get(CasesService);
    const plans = await planned(async (manager) => {
      details = await cases.details(manager, caseIds.map((caseId) => ({ organizationId, caseId })));
      found = await cases.findCases(manager, [organizationId], caseIds);
    });
    expect(details.size).toBe(5);
    expect([...details.values()].flatMap((detail) => (detail as { children: Array<{ id: string }> }).children.map((child) => child.id))).toHaveLength(1);
    expect([...found.keys()].sort()).toEqual([...caseIds].sort());
    for (const scans of plans) {
      expect(scans).toContain('cases_pkey');
      expect(scans.filter((scan) => scan.startsWith('cases_organization_') || scan === 'seq scan of cases')).toEqual([]);
    }
  });

  it('locks a batch of step executions through the primary key, not among every pending step', async () => {
    const started = await pipeline.post('/v1/runs', { caseId: caseIds[0], workflow: twoStepWorkflow.key });
    expect(started.status).toBe(201);
    // Thousands of steps of the run, queued then finished: each left an entry in the partial index
    // of pending steps that stays until a vacuum, as under load between two of them.
    await db.query(
      `INSERT INTO step_executions (organization_id, run_id, state, step_index, step_id, action, status)
       SELECT organization_id, run_id, state, step_index, step_id, action, 'queued' FROM step_executions, generate_series(1, 3000) WHERE run_id = $1`,
      [started.body.id],
    );
    await db.query(`UPDATE step_executions SET status = 'succeeded' WHERE run_id = $1 AND id NOT IN (SELECT id FROM step_executions WHERE run_id = $1 LIMIT 4)`, [started.body.id]);
    const pending: string[] = (await db.query(`SELECT id FROM step_executions WHERE run_id = $1 AND status = 'queued'`, [started.body.id])).map((row: { id: string }) => row.id);
    const finished: string[] = (await db.query(`SELECT id FROM step_executions WHERE run_id = $1 AND status = 'succeeded' LIMIT 4`, [started.body.id])).map((row: { id: string }) => row.id);

    let locked: Array<{ id: string }> = [];
    // In a transaction, as every batch takes its locks.
    const plans = await db.transaction((transaction) =>
      planned(async (manager) => {
        locked = await testApp.get(StepBatchRepository).lockSteps(manager, [...pending, ...finished]);
      }, transaction),
    );
    expect(locked.map((step) => step.id).sort()).toEqual([...pending].sort());
    expect(plans).toHaveLength(1);
    expect(plans[0]).toContain('step_executions_pkey');
    expect(plans[0].filter((scan) => scan === 'step_executions_pending' || scan === 'seq scan of step_executions')).toEqual([]);
  });
});
