import { isUuid } from '@app/common';
import type { EntityManager } from 'typeorm';
import { deferWrite } from './folded-transaction';

/**
 * A string as an SQL literal: the same text as pg's escapeLiteral gives (quotes and backslashes
 * doubled, E'' when there is a backslash), so it is data, never SQL, whatever it holds. Built by
 * two native replaces rather than pg's character-by-character concatenation: the batches' scripts
 * run to tens of kilobytes, and that loop made a string per character for the collector.
 */
export function quoteLiteral(text: string): string {
  const quoted = `'${text.replace(/'/g, "''")}'`;
  return text.includes('\\') ? ` E${quoted.replace(/\\/g, '\\\\')}` : quoted;
}

/** A JSON value as a jsonb literal, for statements sent together in one script. */
export function jsonbLiteral(value: unknown): string {
  return `${quoteLiteral(JSON.stringify(value))}::jsonb`;
}

/**
 * A list of uuids as a constant array, for statements sent without bind parameters. A constant,
 * not an expression: the planner counts its elements, so `id = ANY(...)` on a primary key is an
 * index scan of that many rows. Rows from jsonb_to_recordset are estimated at 100 whatever their
 * number, so a statement joining a table to them must also filter the table by this list, or
 * PostgreSQL may hash-join against a scan of the whole table.
 */
export function uuidArrayLiteral(ids: string[]): string {
  const invalid = ids.find((id) => !isUuid(id));
  if (invalid !== undefined) throw new TypeError(`Not a uuid: ${JSON.stringify(invalid)}`);
  // Checked uuids hold nothing to escape.
  return `'{${ids.join(',')}}'::uuid[]`;
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
