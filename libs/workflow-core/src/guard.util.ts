import * as jsonLogic from 'json-logic-js';

import { escapePointer } from './json-pointer.util';

/** What a guard may read: `{ case, run, steps, vars, event }`. */
export const GUARD_ROOTS: readonly string[] = ['case', 'run', 'steps', 'vars', 'event'];

// The stock json-logic-js operators. `method` and anything added through add_operation are left
// out on purpose: definitions are user data and must not reach arbitrary code.
// prettier-ignore
const KNOWN_OPERATORS = new Set([
  '==', '===', '!=', '!==', '>', '>=', '<', '<=', '!', '!!', 'or', 'and', 'if', '?:', 'in', 'cat',
  'substr', '+', '-', '*', '/', '%', 'min', 'max', 'merge', 'var', 'missing', 'missing_some', 'log',
  'map', 'filter', 'reduce', 'all', 'none', 'some',
]);

// In the second argument of these, `var` reads the current item (or accumulator), not the scope.
const ITERATING_OPERATORS = new Set(['map', 'filter', 'reduce', 'all', 'none', 'some']);

// json-logic-js recurses without limit; a hostile definition could otherwise blow the stack.
const MAX_DEPTH = 64;

/**
 * Evaluates a JSONLogic guard over `scope` and returns the truthiness of the result (JSONLogic's
 * own truthiness: an empty array is false). A guard the validator would reject, or one that throws
 * while evaluating, is false: refusing an event is safer than moving a case on a broken guard.
 */
export function evaluateGuard(logic: unknown, scope: unknown): boolean {
  if (guardProblems(logic).length > 0) return false;
  try {
    return jsonLogic.truthy(jsonLogic.apply(logic as jsonLogic.RulesLogic, scope));
  } catch {
    return false;
  }
}

/** Static problems of a JSONLogic expression; each message says where inside the guard it is. */
export function guardProblems(logic: unknown): string[] {
  const problems: string[] = [];
  walk(logic, '', true, 0, problems);
  return problems;
}

function walk(node: unknown, at: string, checkRoots: boolean, depth: number, out: string[]): void {
  if (depth > MAX_DEPTH) {
    out.push(`guard is nested more than ${MAX_DEPTH} levels deep${where(at)}`);
    return;
  }
  if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, `${at}/${i}`, checkRoots, depth + 1, out));
    return;
  }
  if (node === null || typeof node !== 'object') return;

  const keys = Object.keys(node);
  if (keys.length !== 1) {
    out.push(`an operation must have exactly one operator key, found ${keys.length}${where(at)}`);
    return;
  }
  const op = keys[0];
  if (!KNOWN_OPERATORS.has(op)) {
    out.push(`unknown operator "${op}"${where(at)}`);
    return;
  }
  const raw = (node as Record<string, unknown>)[op];
  const args = Array.isArray(raw) ? raw : [raw];
  const argAt = (i: number): string =>
    Array.isArray(raw) ? `${at}/${escapePointer(op)}/${i}` : `${at}/${escapePointer(op)}`;

  if (op === 'var') {
    const [path, fallback] = args;
    if (typeof path === 'string' || typeof path === 'number') {
      if (checkRoots) checkPath(String(path), argAt(0), out);
    } else {
      walk(path, argAt(0), checkRoots, depth + 1, out);
    }
    walk(fallback, argAt(1), checkRoots, depth + 1, out);
    return;
  }
  if ((op === 'missing' || op === 'missing_some') && checkRoots) {
    // Their arguments are var paths too (missing_some: a count, then a list of paths).
    const paths = op === 'missing_some' ? args[1] : args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
    if (Array.isArray(paths)) {
      paths.forEach((p) => {
        if (typeof p === 'string') checkPath(p, at, out);
      });
    }
  }
  args.forEach((arg, i) => {
    const scoped = ITERATING_OPERATORS.has(op) && i === 1;
    walk(arg, argAt(i), scoped ? false : checkRoots, depth + 1, out);
  });
}

function checkPath(path: string, at: string, out: string[]): void {
  if (path === '') return; // the whole scope
  const root = path.split('.')[0];
  if (!GUARD_ROOTS.includes(root)) {
    out.push(`var "${path}" must start with one of ${GUARD_ROOTS.join(', ')}${where(at)}`);
  }
}

function where(at: string): string {
  return at === '' ? '' : ` (at ${at})`;
}
