import type { ChaosDatabase } from './chaos-database';

export interface ExpectedRun {
  runId: string;
  caseId: string;
}

export interface Verification {
  /** Runs the API acknowledged (201). */
  acknowledged: number;
  /** Runs in PostgreSQL: the acknowledged ones, plus any whose acknowledgement was lost on the way. */
  runs: number;
  completed: number;
  byStatus: Record<string, number>;
  /** Runs not completed, plus acknowledged runs that PostgreSQL does not have. */
  lost: number;
  acknowledgedButAbsent: number;
  /** Extra occurrences of an expected status change (the same step's effect applied again). */
  effectsDuplicated: number;
  runsWithDuplicates: number;
  /** Expected status changes absent, over every run (all of them should have completed). */
  effectsMissing: number;
  effectsMissingInCompletedRuns: number;
  /** Status changes no step should have made, or in the wrong order. */
  effectsUnexpected: number;
  /** Step executions recorded twice for one step of a run (the engine scheduled a step again). */
  stepExecutionsDuplicated: number;
  stepsNotSucceededInCompletedRuns: number;
  casesNotInFinalStatus: number;
  /** A few examples of each problem, for the report. */
  examples: Record<string, unknown[]>;
}

/**
 * Checks every run against PostgreSQL: its status, and its case's audit trail against the status
 * changes the workflow's steps must leave, each exactly once.
 */
export async function verifyRuns(
  db: ChaosDatabase,
  acknowledged: ExpectedRun[],
  expected: Array<{ from: string; to: string }>,
  expectedStepIds: string[],
  finalStatus: string,
): Promise<Verification> {
  const runs = await db.query<{ id: string; case_id: string; status: string; state: string; error: unknown; case_status: string }>(
    `SELECT r.id, r.case_id, r.status, r.state, r.error, c.status AS case_status FROM runs r JOIN cases c ON c.id = r.case_id`,
  );
  const events = await db.query<{ case_id: string; from_value: string | null; to_value: string | null; source: string }>(
    `SELECT case_id, from_value, to_value, source FROM case_events WHERE type = 'status_changed' ORDER BY id`,
  );
  const steps = await db.query<{ run_id: string; step_id: string; status: string }>(
    `SELECT run_id, step_id, status FROM step_executions`,
  );

  const eventsByCase = groupBy(events, (event) => event.case_id);
  const stepsByRun = groupBy(steps, (step) => step.run_id);
  const examples: Record<string, unknown[]> = {};
  const example = (kind: string, value: unknown) => {
    const list = (examples[kind] ??= []);
    if (list.length < 5) list.push(value);
  };
  const result: Verification = {
    acknowledged: acknowledged.length,
    runs: runs.length,
    completed: 0,
    byStatus: {},
    lost: 0,
    acknowledgedButAbsent: 0,
    effectsDuplicated: 0,
    runsWithDuplicates: 0,
    effectsMissing: 0,
    effectsMissingInCompletedRuns: 0,
    effectsUnexpected: 0,
    stepExecutionsDuplicated: 0,
    stepsNotSucceededInCompletedRuns: 0,
    casesNotInFinalStatus: 0,
    examples,
  };

  const known = new Set(runs.map((run) => run.id));
  for (const ack of acknowledged) {
    if (known.has(ack.runId)) continue;
    result.acknowledgedButAbsent++;
    example('acknowledgedButAbsent', ack);
  }

  for (const run of runs) {
    result.byStatus[run.status] = (result.byStatus[run.status] ?? 0) + 1;
    const completed = run.status === 'completed';
    if (completed) result.completed++;
    else example('notCompleted', { runId: run.id, status: run.status, state: run.state, error: run.error });

    const trail = eventsByCase.get(run.case_id) ?? [];
    let duplicated = 0;
    for (const effect of expected) {
      const count = trail.filter((event) => event.to_value === effect.to).length;
      if (count === 0) {
        result.effectsMissing++;
        if (completed) {
          result.effectsMissingInCompletedRuns++;
          example('missingInCompletedRun', { runId: run.id, caseId: run.case_id, missing: effect.to });
        }
      }
      if (count > 1) duplicated += count - 1;
    }
    if (duplicated > 0) {
      result.effectsDuplicated += duplicated;
      result.runsWithDuplicates++;
      example('duplicated', { runId: run.id, caseId: run.case_id, trail: trail.map((event) => `${event.from_value}->${event.to_value}`) });
    }
    // Whatever else is in the trail: a change no step makes, one made by someone else, or out of order.
    trail.forEach((event, index) => {
      const want = expected[index];
      if (!want || want.from !== event.from_value || want.to !== event.to_value || event.source !== 'workflow') {
        if (expected.some((effect) => effect.to === event.to_value) && trail.filter((other) => other.to_value === event.to_value).length > 1) return; // counted as a duplicate
        result.effectsUnexpected++;
        example('unexpected', { runId: run.id, caseId: run.case_id, event });
      }
    });
    if (completed && run.case_status !== finalStatus) {
      result.casesNotInFinalStatus++;
      example('notInFinalStatus', { runId: run.id, caseId: run.case_id, status: run.case_status });
    }

    const runSteps = stepsByRun.get(run.id) ?? [];
    for (const stepId of expectedStepIds) {
      const rows = runSteps.filter((step) => step.step_id === stepId);
      if (rows.length > 1) {
        result.stepExecutionsDuplicated += rows.length - 1;
        example('stepExecutionDuplicated', { runId: run.id, stepId, rows });
      }
      if (completed && !rows.some((step) => step.status === 'succeeded')) {
        result.stepsNotSucceededInCompletedRuns++;
        example('stepNotSucceeded', { runId: run.id, stepId, rows });
      }
    }
  }
  result.lost = result.runs - result.completed + result.acknowledgedButAbsent;
  return result;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
