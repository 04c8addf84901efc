import { DatabaseError } from 'pg';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** pg's client, as far as folding needs it. */
interface PgClient {
  query: (...args: unknown[]) => unknown;
}

const BEGIN = 'START TRANSACTION'; // what TypeORM sends to open a transaction
const NOT_SENT = { command: 'BEGIN', rowCount: null, rows: [], fields: [] };

/**
 * One connection's statements held back to go with its next one. PostgreSQL takes several
 * statements in one simple-protocol message and answers each in turn, so statements that need no
 * answer before the next one is sent (the BEGIN, writes whose result nobody reads) cost no round
 * trip of their own: they are sent, in order, in front of the next statement that has to be sent
 * anyway, at the latest the COMMIT.
 */
class Fold {
  private pending: string[] = [];
  /**
   * What became of a COMMIT sent with the transaction's last read (queryAndCommit): `committed`,
   * and TypeORM's own COMMIT or ROLLBACK has nothing left to do; `unknown` when the message failed
   * without PostgreSQL saying why (the connection dropped, or a row its client could not read), so
   * the COMMIT may have run: the transaction is rolled back where it is still open, but its work
   * must not be tried again.
   */
  commit: 'open' | 'committed' | 'unknown' = 'open';
  private committingRead = false;
  private readonly original: PgClient['query'];

  /** Whether the client had a `query` of its own, rather than its class's, before the fold's. */
  private readonly ownQuery: boolean;

  constructor(private readonly client: PgClient) {
    this.original = client.query;
    this.ownQuery = Object.hasOwn(client, 'query');
    client.query = (...args: unknown[]) => this.query(args);
  }

  defer(sql: string): void {
    if (this.commit === 'committed') throw new Error('The transaction was committed with its last read; a write deferred after it would be lost.');
    this.pending.push(sql);
  }

  uninstall(): void {
    // Back to the class's method, as pg's pool lends the client on, rather than a copy of it.
    if (this.ownQuery) this.client.query = this.original;
    else delete (this.client as Partial<PgClient>).query;
  }

  /** The next statement goes with a COMMIT after it (see queryAndCommit). */
  commitWithNext(on: boolean): void {
    if (on && this.commit === 'committed') throw new Error('The transaction is already committed.');
    this.committingRead = on;
  }

  private query(args: unknown[]): unknown {
    const [text, values, callback] = args;
    if (this.commit === 'committed') {
      // TypeORM's own end of the transaction: nothing is left to commit, or to undo.
      if (text === 'COMMIT' || text === 'ROLLBACK') return Promise.resolve({ ...NOT_SENT, command: text });
      return Promise.reject(new Error(`The transaction was committed with its last read; "${String(text).slice(0, 40)}" came after it.`));
    }
    const bound = values !== undefined && !(Array.isArray(values) && values.length === 0);
    if (this.committingRead && typeof text === 'string' && !bound && callback === undefined) {
      this.committingRead = false;
      const script = [...this.pending, text, 'COMMIT'].join(';\n');
      this.pending = [];
      return (this.send([script]) as Promise<Array<{ command: string }>>).then(
        (results) => {
          // One result per statement: the read's is the one before the COMMIT's.
          if (!Array.isArray(results) || results[results.length - 1]?.command !== 'COMMIT') {
            throw new Error('The read sent with the COMMIT did not end as one statement; the transaction is rolled back.');
          }
          this.commit = 'committed';
          return results[results.length - 2];
        },
        (error: unknown) => {
          // PostgreSQL's own error stopped the message before its COMMIT, or was the COMMIT's.
          if (!(error instanceof DatabaseError)) this.commit = 'unknown';
          throw error;
        },
      );
    }
    if (typeof text !== 'string' || bound || callback !== undefined) return this.pending.length === 0 ? this.send(args) : this.sendPending().then(() => this.send(args));
    if (text === BEGIN && this.pending.length === 0) {
      this.pending.push(BEGIN);
      return Promise.resolve(NOT_SENT);
    }
    if (text === 'ROLLBACK') {
      // Statements not yet sent are part of what is rolled back; a BEGIN not yet sent left nothing to undo.
      const begunOnServer = this.pending[0] !== BEGIN;
      this.pending = [];
      return begunOnServer ? this.send(args) : Promise.resolve(NOT_SENT);
    }
    if (text.startsWith('ROLLBACK TO SAVEPOINT ')) {
      // Whatever is pending came after the last statement sent, so after the savepoint: undone anyway.
      this.pending = [];
      return this.send(args);
    }
    if (this.pending.length === 0) return this.send(args);
    const script = [...this.pending, text].join(';\n');
    this.pending = [];
    // Several statements answer with one result each: the caller's is the last.
    return (this.send([script]) as Promise<unknown>).then((result) => (Array.isArray(result) ? result[result.length - 1] : result));
  }

  private sendPending(): Promise<unknown> {
    const script = this.pending.join(';\n');
    this.pending = [];
    return this.send([script]) as Promise<unknown>;
  }

  private send(args: unknown[]): unknown {
    return this.original.apply(this.client, args);
  }
}

const folds = new WeakMap<QueryRunner, Fold>();

/**
 * A transaction as `dataSource.transaction` runs it, with two round trips fewer: its BEGIN goes
 * with its first statement, and writes handed to `deferWrite` go with the statement after them
 * (the COMMIT, for the last ones). Everything else is TypeORM's own: `manager.save` and nested
 * `manager.transaction` see a transaction already open and take savepoints, as they should.
 *
 * What changes is where an error shows: a deferred write that fails makes the next statement sent
 * (the COMMIT, at the latest) throw its error, and the transaction is rolled back as for any
 * error. Only statements whose own answer nobody waits for may be deferred.
 */
export async function foldedTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner('master');
  let fold: Fold | undefined;
  try {
    fold = new Fold((await runner.connect()) as PgClient);
    folds.set(runner, fold);
    return await runner.manager.transaction(work);
  } catch (error) {
    if (fold && fold.commit !== 'open') throw new CommittedWorkError(error, fold.commit === 'committed');
    throw error;
  } finally {
    fold?.uninstall();
    folds.delete(runner);
    await runner.release();
  }
}

/**
 * The work of a folded transaction failed after queryAndCommit had committed it, or while the
 * COMMIT's fate was unknown (`committed` false: the connection dropped with the message in
 * flight). What it wrote stands, or may, so it must not be tried again; `cause` says what failed.
 */
export class CommittedWorkError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly committed: boolean,
  ) {
    super(`The transaction ${committed ? 'was' : 'may have been'} committed, then its work failed: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'CommittedWorkError';
  }
}

/**
 * Runs the read `sql` as a folded transaction's last statement, with the writes pending before it
 * and the COMMIT after it, all in one message: the read sees the transaction's writes, and the
 * transaction costs one round trip less. Once it resolves the transaction is committed: the work
 * after it should only shape what was read, and a statement or a deferred write would be refused.
 * If that work fails all the same, or the message fails without PostgreSQL's own error (the COMMIT
 * may have run), foldedTransaction throws CommittedWorkError, which callers must not retry. On any
 * other manager it is a plain query, committed with the transaction.
 */
export async function queryAndCommit<T>(manager: EntityManager, sql: string): Promise<T> {
  const fold = manager.queryRunner ? folds.get(manager.queryRunner) : undefined;
  fold?.commitWithNext(true);
  try {
    return (await manager.query(sql)) as T;
  } finally {
    fold?.commitWithNext(false);
  }
}

/**
 * Sends `sql` with the connection's next statement when `manager` is a folded transaction's, or
 * at once otherwise. Statements only: their answer is never read.
 */
export async function deferWrite(manager: EntityManager, sql: string): Promise<void> {
  const fold = manager.queryRunner ? folds.get(manager.queryRunner) : undefined;
  if (fold) fold.defer(sql);
  else await manager.query(sql);
}
