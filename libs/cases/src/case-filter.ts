/**
 * The filter language of saved views and the case list. A filter is data, validated here and
 * nothing else: it never holds SQL or ORM syntax, and case-list.repository.ts is the one place that
 * turns it into a query, with bound parameters only (so a stored view cannot smuggle a query in).
 *
 * Meaning: the fields AND together. `workflow`, `status`, `type` and `assignee` match a case that
 * has ANY of the listed values (a case has one of each). `tag` matches a case that carries ALL the
 * listed tags, as label filters do: adding a tag narrows the list, and a view narrowed by query
 * parameters is still one filter (see mergeFilters). `data` conditions all hold.
 */
export const FILTER_OPS = ['eq', 'in', 'exists', 'contains'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
export type FilterScalar = string | number | boolean | null;

/**
 * A condition on the case's `data` at a dotted path. `eq` and `in` compare JSON values exactly
 * (the string "12" is not the number 12; `null` matches an explicit null, not a missing key);
 * `exists` holds when the key is present, even with a null value; `contains` holds when the value
 * there is an array holding `value`, or a string holding it as a case-insensitive substring.
 */
export type DataCondition =
  | { path: string; op: 'eq'; value: FilterScalar }
  | { path: string; op: 'in'; value: FilterScalar[] }
  | { path: string; op: 'exists' }
  | { path: string; op: 'contains'; value: string | number | boolean };

export interface CaseFilter {
  workflow?: string[];
  status?: string[];
  type?: string[];
  tag?: string[];
  /** `null` in the list means unassigned. */
  assignee?: Array<string | null>;
  data?: DataCondition[];
}

export interface FilterProblem {
  /** JSON pointer into the filter ('' is the filter itself). */
  path: string;
  message: string;
}

/** Bounds that keep a filter cheap to store, parse and run. */
export const FILTER_LIMITS = {
  listValues: 50,
  valueLength: 200,
  conditions: 20,
  inValues: 100,
  pathSegments: 8,
  dataStringLength: 1000,
} as const;

/** One segment of a data path; an all-digits segment also indexes into arrays. */
export const PATH_SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
const LIST_FIELDS = ['workflow', 'status', 'type', 'tag', 'assignee'] as const;
type ListField = (typeof LIST_FIELDS)[number];
const FILTER_KEYS: ReadonlyArray<string> = [...LIST_FIELDS, 'data'];
const CONDITION_KEYS: ReadonlyArray<string> = ['path', 'op', 'value'];
// Control characters: never in keys, statuses or tags; NUL cannot be stored in PostgreSQL text at all.
const CONTROL = /[\u0000-\u001f\u007f]/;
const NUL = /\u0000/;

/** Splits a data path into its segments; callers that did not parse the filter must validate first. */
export function pathSegments(path: string): string[] {
  return path.split('.');
}

/** Validates untrusted input (a request body, a stored view) into a CaseFilter, listing every problem. */
export function parseCaseFilter(input: unknown): { filter?: CaseFilter; problems: FilterProblem[] } {
  const problems: FilterProblem[] = [];
  if (!isPlainObject(input)) return { problems: [{ path: '', message: 'must be an object' }] };
  const filter: CaseFilter = {};
  for (const key of Object.keys(input)) {
    if (!FILTER_KEYS.includes(key)) problems.push({ path: pointer(key), message: `unknown field "${clip(key)}"; allowed: ${FILTER_KEYS.join(', ')}` });
  }
  for (const field of LIST_FIELDS) {
    if (input[field] === undefined) continue;
    const values = parseList(input[field], `/${field}`, field === 'assignee', problems);
    if (values) (filter as Record<ListField, unknown>)[field] = values;
  }
  if (input.data !== undefined) {
    if (!Array.isArray(input.data)) problems.push({ path: '/data', message: 'must be an array of conditions' });
    else if (input.data.length > FILTER_LIMITS.conditions) problems.push({ path: '/data', message: `must hold at most ${FILTER_LIMITS.conditions} conditions` });
    else {
      const conditions = input.data.map((raw, i) => parseCondition(raw, `/data/${i}`, problems));
      if (conditions.every((c): c is DataCondition => c !== undefined)) filter.data = conditions;
    }
  }
  return problems.length ? { problems } : { filter, problems };
}

function parseList(raw: unknown, path: string, allowNull: boolean, problems: FilterProblem[]): Array<string | null> | undefined {
  if (!Array.isArray(raw)) {
    problems.push({ path, message: 'must be an array' });
    return undefined;
  }
  // An empty list would match no case at all: certainly a mistake in a saved view.
  if (raw.length === 0 || raw.length > FILTER_LIMITS.listValues) {
    problems.push({ path, message: `must hold 1 to ${FILTER_LIMITS.listValues} values` });
    return undefined;
  }
  const before = problems.length;
  raw.forEach((value, i) => {
    if (value === null && allowNull) return;
    if (typeof value !== 'string' || value.length === 0 || value.length > FILTER_LIMITS.valueLength || CONTROL.test(value)) {
      const what = allowNull ? 'a string or null' : 'a string';
      problems.push({ path: `${path}/${i}`, message: `must be ${what} of 1-${FILTER_LIMITS.valueLength} characters without control characters` });
    }
  });
  return problems.length === before ? [...new Set(raw as Array<string | null>)] : undefined;
}

function parseCondition(raw: unknown, at: string, problems: FilterProblem[]): DataCondition | undefined {
  if (!isPlainObject(raw)) {
    problems.push({ path: at, message: 'must be an object { path, op, value }' });
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(raw)) {
    if (!CONDITION_KEYS.includes(key)) problems.push({ path: `${at}${pointer(key)}`, message: `unknown field "${clip(key)}"; allowed: path, op, value` });
  }
  const path = checkPath(raw.path, `${at}/path`, problems);
  const op = raw.op;
  if (!FILTER_OPS.includes(op as FilterOp)) {
    problems.push({ path: `${at}/op`, message: `must be one of ${FILTER_OPS.join(', ')}` });
    return undefined;
  }
  const valuePath = `${at}/value`;
  const hasValue = 'value' in raw;
  switch (op as FilterOp) {
    case 'exists':
      if (hasValue) problems.push({ path: valuePath, message: 'must be absent for "exists"' });
      break;
    case 'eq':
      if (!hasValue) problems.push({ path: valuePath, message: 'is required for "eq" (a string, number, boolean or null)' });
      else checkScalar(raw.value, valuePath, problems);
      break;
    case 'in':
      if (!Array.isArray(raw.value) || raw.value.length === 0 || raw.value.length > FILTER_LIMITS.inValues) {
        problems.push({ path: valuePath, message: `must be an array of 1-${FILTER_LIMITS.inValues} strings, numbers, booleans or nulls for "in"` });
      } else raw.value.forEach((value, i) => checkScalar(value, `${valuePath}/${i}`, problems));
      break;
    case 'contains':
      if (!hasValue || raw.value === null || raw.value === '') {
        problems.push({ path: valuePath, message: 'must be a non-empty string, a number or a boolean for "contains"' });
      } else checkScalar(raw.value, valuePath, problems);
      break;
  }
  if (problems.length > before || path === undefined) return undefined;
  if (op === 'exists') return { path, op };
  if (op === 'in') return { path, op, value: [...new Set(raw.value as FilterScalar[])] };
  return { path, op, value: raw.value } as DataCondition;
}

function checkPath(raw: unknown, at: string, problems: FilterProblem[]): string | undefined {
  if (typeof raw !== 'string') {
    problems.push({ path: at, message: 'must be a dotted path such as "company.country"' });
    return undefined;
  }
  const segments = pathSegments(raw);
  if (segments.length > FILTER_LIMITS.pathSegments || !segments.every((s) => PATH_SEGMENT.test(s))) {
    problems.push({
      path: at,
      message: `must be 1-${FILTER_LIMITS.pathSegments} dot-separated segments of letters, digits, "_" or "-" (1-64 each), e.g. "company.country" or "owners.0.name"`,
    });
    return undefined;
  }
  return raw;
}

/** Checks a JSON scalar (string, finite number, boolean, null) for a data condition. */
function checkScalar(value: unknown, at: string, problems: FilterProblem[]): boolean {
  if (value === null || typeof value === 'boolean') return true;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return true;
    problems.push({ path: at, message: 'must be a finite number' });
    return false;
  }
  if (typeof value === 'string') {
    if (value.length <= FILTER_LIMITS.dataStringLength && !NUL.test(value)) return true;
    problems.push({ path: at, message: `must be a string of at most ${FILTER_LIMITS.dataStringLength} characters without NUL` });
    return false;
  }
  problems.push({ path: at, message: 'must be a string, number, boolean or null' });
  return false;
}

/**
 * The AND of two filters, as one filter: the list filtered through a view and narrowed by query
 * parameters. Single-valued fields intersect (an empty intersection matches no case), tags unite
 * (a case must carry all of them), data conditions concatenate.
 */
export function mergeFilters(a: CaseFilter, b: CaseFilter): CaseFilter {
  const merged: CaseFilter = {};
  for (const field of ['workflow', 'status', 'type'] as const) {
    const values = intersect(a[field], b[field]);
    if (values) merged[field] = values;
  }
  const assignee = intersect(a.assignee, b.assignee);
  if (assignee) merged.assignee = assignee;
  if (a.tag || b.tag) merged.tag = [...new Set([...(a.tag ?? []), ...(b.tag ?? [])])];
  if (a.data || b.data) merged.data = [...(a.data ?? []), ...(b.data ?? [])];
  return merged;
}

function intersect<T>(a: T[] | undefined, b: T[] | undefined): T[] | undefined {
  if (!a) return b && [...b];
  if (!b) return [...a];
  return a.filter((value) => b.includes(value));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON pointer token for a key (RFC 6901: "~" and "/" escaped), clipped so echoes stay short. */
function pointer(key: string): string {
  return `/${clip(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
