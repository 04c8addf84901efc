import { isUuid } from '@app/common';

/**
 * Where a keyset page ends. `createdAt` keeps PostgreSQL's microseconds: a JS Date has only
 * milliseconds, and a cursor rounded to them would skip or repeat cases created in the same ms.
 */
export interface CaseCursor {
  createdAt: string;
  id: string;
}

/** What the list's `q` asks for: a case id, or data words matched as prefixes. */
export type CaseSearch = { kind: 'id'; id: string } | { kind: 'words'; words: string[]; tsquery: string };

export const SEARCH_LIMITS = { length: 200, words: 8 } as const;

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
// Letters, marks and digits of any script, joined by "-", ".", "@" or "_" inside a word: to_tsquery
// then splits "RN-500000" or "ada@example.com" exactly as the indexing did (the parser stores
// "RN-500000" as 'rn' and '-500000', which the separate words "rn" and "500000" would not find).
// Everything else separates words, which keeps every tsquery operator (& | ! : * ( ) < > ') out.
const WORD = /[\p{L}\p{M}\p{N}]+(?:[-.@_][\p{L}\p{M}\p{N}]+)*/gu;

/** The cursor is opaque to clients: base64url of a small JSON object. */
export function encodeCursor(cursor: CaseCursor): string {
  return Buffer.from(JSON.stringify({ createdAt: cursor.createdAt, id: cursor.id })).toString('base64url');
}

/** The cursor, or null when the text is not one this API handed out. */
export function decodeCursor(text: string): CaseCursor | null {
  if (text.length > 200 || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { createdAt, id, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || typeof createdAt !== 'string' || !isUuid(id)) return null;
  if (!CURSOR_TIME.test(createdAt) || Number.isNaN(Date.parse(createdAt))) return null;
  return { createdAt, id };
}

/**
 * Reads `q`: a uuid finds that case; otherwise its words (at most 8) must all occur in the case's
 * data as word prefixes, so "lov" finds "Lovelace". Blank q searches nothing.
 */
export function parseSearch(q: string): { search?: CaseSearch; problem?: string } {
  const text = q.trim();
  if (!text) return {};
  if (text.length > SEARCH_LIMITS.length) return { problem: `q must be at most ${SEARCH_LIMITS.length} characters` };
  const asId: unknown = text; // a separate name, so that the uuid type guard does not narrow `text`
  if (isUuid(asId)) return { search: { kind: 'id', id: asId.toLowerCase() } };
  const words = [...new Set(text.match(WORD) ?? [])];
  if (words.length === 0) return { problem: 'q holds no letters or digits to search for' };
  if (words.length > SEARCH_LIMITS.words) return { problem: `q may hold at most ${SEARCH_LIMITS.words} words` };
  // Lower-casing is left to to_tsquery('simple'), so both sides of the match fold case the same way.
  return { search: { kind: 'words', words, tsquery: words.map((word) => `${word}:*`).join(' & ') } };
}
