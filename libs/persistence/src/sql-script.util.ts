import { escapeLiteral } from 'pg';
import type { EntityManager } from 'typeorm';
import { deferWrite } from './folded-transaction';

/**
 * A JSON value as a jsonb literal, for statements sent together in one script. The text is
 * escaped by pg's own escapeLiteral, so it is data, never SQL, whatever the value holds.
 */
export function jsonbLiteral(value: unknown): string {
  return `${escapeLiteral(JSON.stringify(value))}::jsonb`;
}

/**
 * A list of uuids as an array expression, for statements sent without bind parameters: one write
 * to the socket instead of the five of the extended protocol. The array is read once (an InitPlan).
 */
export function uuidArrayLiteral(ids: string[]): string {
  return `ARRAY(SELECT jsonb_array_elements_text(${jsonbLiteral(ids)})::uuid)`;
}

/**
 * Runs statements in one round trip: without bind parameters PostgreSQL takes several statements
 * in one message. Values must come in as literals from jsonbLiteral. Inside a transaction, as
 * every caller is, a failing statement fails the transaction like any other.
 */
export async function runScript(manager: EntityManager, statements: Array<string | null>): Promise<void> {
  const script = statements.filter((statement): statement is string => statement !== null);
  if (script.length === 0) return;
  await manager.query(script.join(';\n'));
}

/** Statements gathered to be sent together, in order, in one round trip. */
export class SqlScript {
  private readonly statements: string[] = [];

  get isEmpty(): boolean {
    return this.statements.length === 0;
  }

  add(statement: string | null): this {
    if (statement !== null) this.statements.push(statement);
    return this;
  }

  append(other: SqlScript): this {
    this.statements.push(...other.statements);
    return this;
  }

  run(manager: EntityManager): Promise<void> {
    return runScript(manager, this.statements);
  }

  /** Sends the statements with the transaction's next one (see foldedTransaction), or at once outside one. */
  async defer(manager: EntityManager): Promise<void> {
    if (!this.isEmpty) await deferWrite(manager, this.statements.join(';\n'));
  }
}
