import { escapeLiteral } from 'pg';
import type { EntityManager } from 'typeorm';

/**
 * A JSON value as a jsonb literal, for statements sent together in one script. The text is
 * escaped by pg's own escapeLiteral, so it is data, never SQL, whatever the value holds.
 */
export function jsonbLiteral(value: unknown): string {
  return `${escapeLiteral(JSON.stringify(value))}::jsonb`;
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
