import type { NextFunction, Request, Response } from 'express';
import { BadRequestError } from '@app/common';

/** Keys that name object internals: refused everywhere rather than dropped somewhere down the line. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Deeper than any definition, case or payload needs; deep enough input exhausts recursive code downstream. */
export const MAX_BODY_DEPTH = 64;

/**
 * Runs right after the JSON body parser. Turns its errors into domain errors (Nest would otherwise
 * flatten them into a bare 400), and refuses what PostgreSQL or recursive code cannot take:
 * nesting deeper than MAX_BODY_DEPTH, NUL characters (no text column stores them), numbers
 * beyond a double's range, and keys such as `__proto__` that libraries silently drop.
 */
export function jsonBodyErrors(error: unknown, _req: Request, _res: Response, next: NextFunction): void {
  const parserError = error as { type?: string; message?: string };
  if (parserError?.type === 'entity.parse.failed') {
    next(new BadRequestError('MALFORMED_JSON', `The request body is not valid JSON: ${parserError.message ?? ''}`.trim()));
    return;
  }
  next(error);
}

export function jsonBodyLimits(req: Request, _res: Response, next: NextFunction): void {
  const problem = req.body === undefined ? null : findProblem(req.body);
  next(problem ? new BadRequestError(problem.code, problem.message, { path: problem.path }) : undefined);
}

interface Problem {
  code: string;
  message: string;
  path: string;
}

/** Iterative, so that measuring a hostile body cannot itself overflow the stack. */
function findProblem(body: unknown): Problem | null {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: body, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'number' && !Number.isFinite(value)) {
      // JSON.parse turns 1e999 into Infinity, which PostgreSQL's jsonb would store as null.
      return { code: 'NUMBER_OUT_OF_RANGE', message: `${path || 'The body'} holds a number too large to store.`, path };
    }
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return { code: 'INVALID_CHARACTER', message: `${path || 'The body'} holds a NUL character (\\u0000), which cannot be stored.`, path };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) {
      return { code: 'NESTING_TOO_DEEP', message: `The body is nested deeper than ${MAX_BODY_DEPTH} levels.`, path };
    }
    for (const [key, child] of Object.entries(value)) {
      if (key.includes('\u0000')) return { code: 'INVALID_CHARACTER', message: 'A key holds a NUL character (\\u0000), which cannot be stored.', path };
      if (RESERVED_KEYS.has(key)) {
        return { code: 'RESERVED_KEY', message: `"${key}" cannot be used as a key: JavaScript gives it a meaning of its own.`, path: `${path}/${key}` };
      }
      stack.push({ value: child, path: `${path}/${key}`, depth: depth + 1 });
    }
  }
  return null;
}
