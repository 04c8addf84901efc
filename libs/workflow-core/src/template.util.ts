import { escapePointer } from './json-pointer.util';

/**
 * `{{ path }}` templates in step params. Paths are resolved by walking own properties only, never
 * by evaluating code: definitions are user data, and a path like `case.constructor` must not reach
 * into JavaScript internals.
 */

/** The roots a template may start with. `env` holds only the variables the deployment allow-lists. */
export const TEMPLATE_ROOTS: readonly string[] = ['case', 'run', 'steps', 'event', 'env', 'vars'];

export type TemplateScope = Readonly<Record<string, unknown>>;

export interface TemplateLocation {
  /** JSON pointer, relative to the value searched, of the string holding the template. */
  pointer: string;
  /** The path as written between the braces, trimmed. */
  path: string;
}

// Lazy match and no braces inside, so `{{ a }}{{ b }}` is two templates.
const TEMPLATE = /\{\{\s*([^{}]*?)\s*\}\}/g;
const SINGLE_TEMPLATE = /^\s*\{\{\s*([^{}]*?)\s*\}\}\s*$/;
const SEGMENT = /^[A-Za-z0-9_$-]+$/;

/** True when `path` is a dotted path of plain segments (`case.data.ubos.0.name`). */
export function isTemplatePath(path: string): boolean {
  return path.split('.').every((segment) => SEGMENT.test(segment));
}

/** True when the string holds at least one template. */
export function hasTemplate(text: string): boolean {
  return text.search(TEMPLATE) !== -1;
}

/** Reads a dotted path from the scope; undefined when any segment is missing. */
export function resolvePath(scope: unknown, path: string): unknown {
  if (!isTemplatePath(path)) return undefined;
  let current: unknown = scope;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * Deep-renders templates in `value`. A string that is exactly one template becomes the value
 * itself (object, number, undefined...); templates inside longer text become text. Returns a new
 * structure; the input is not modified.
 */
export function renderTemplates(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === 'string') return renderString(value, scope);
  if (Array.isArray(value)) return value.map((item) => renderTemplates(item, scope));
  if (isPlainObject(value)) {
    // fromEntries defines own properties, so a `__proto__` key stays data instead of a prototype.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderTemplates(v, scope)]));
  }
  return value;
}

/** `renderTemplates` for a step's params object. */
export function renderParams(
  params: Record<string, unknown> | undefined,
  scope: TemplateScope,
): Record<string, unknown> {
  return renderTemplates(params ?? {}, scope) as Record<string, unknown>;
}

/** Every template in `value`, with the JSON pointer of the string that holds it. */
export function templatePaths(value: unknown): TemplateLocation[] {
  const found: TemplateLocation[] = [];
  collect(value, '', found);
  return found;
}

function collect(value: unknown, pointer: string, found: TemplateLocation[]): void {
  if (typeof value === 'string') {
    for (const match of value.matchAll(TEMPLATE)) found.push({ pointer, path: match[1] });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => collect(item, `${pointer}/${i}`, found));
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) collect(item, `${pointer}/${escapePointer(key)}`, found);
  }
}

function renderString(text: string, scope: TemplateScope): unknown {
  const single = SINGLE_TEMPLATE.exec(text);
  if (single) return resolvePath(scope, single[1]);
  return text.replace(TEMPLATE, (_match, path: string) => toText(resolvePath(scope, path)));
}

function toText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
