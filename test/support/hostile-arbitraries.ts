import fc from 'fast-check';

/**
 * fast-check generators of what a careless or hostile client sends: strings that look like SQL,
 * LIKE patterns, placeholders or templates, any Unicode (lone surrogates and NUL included), long
 * strings, numbers at and beyond every range, keys named after Object.prototype members, deep and
 * wide JSON; and valid bodies with a few of those planted in them, which get past the first check.
 */

export const INJECTIONS = [
  "' OR 1=1 --",
  "' OR '1'='1",
  "'; DROP TABLE cases; --",
  '") OR ("1"="1',
  '*/ OR /*',
  "\\'",
  '%',
  '_',
  '%_%',
  '\\',
  '\\\\',
  '$1',
  '$$',
  '1; SELECT pg_sleep(5)',
  "1' AND (SELECT count(*) FROM api_keys) > 0 --",
  '{"$gt": ""}',
  '${jndi:ldap://x}',
  '{{ env.DATABASE_URL }}',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  'a:* | b & !c',
  'null',
  'NaN',
  '-0',
  '',
  ' ',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\u0000',
  '😀',
  'Zürich',
] as const;

/** Number literals JSON.parse cannot keep exactly: they are sent as raw text (see toJsonText). */
export const HUGE_LITERALS = ['1e999999', '-1e400', '123456789012345678901234567890123456789', '9007199254740993', '1e-400', '-0'] as const;
const hugeMarker = (index: number) => `#HUGE#${index}#`;

export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'] as const;

export const longString = fc
  .tuple(fc.constantFrom('a', "'", '%', '\\', 'é', '𝒳', ' '), fc.integer({ min: 100, max: 5000 }))
  .map(([char, length]) => char.repeat(length));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: longString },
);

export const hostileNumber: fc.Arbitrary<number | string> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 2 ** 63, Number.MAX_VALUE, Number.MIN_VALUE, 0.1),
  fc.integer({ min: 0, max: HUGE_LITERALS.length - 1 }).map(hugeMarker),
);

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS, '$where', '$gt', 'a.b', 'a/b', '~1', '', 'status', 'data') },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);

const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null));

/** Any JSON value, hostile at every leaf and key, at most `maxDepth` levels deep. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    hostileLeaf,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 5 }),
  ),
})).value;

type Path = Array<string | number>;
type Mutation = { kind: 'set'; path: Path; value: unknown } | { kind: 'delete'; path: Path } | { kind: 'add'; path: Path; key: string; value: unknown };

function pathsOf(value: unknown, at: Path = []): Path[] {
  if (Array.isArray(value)) return [at, ...value.flatMap((child, i) => pathsOf(child, [...at, i]))];
  if (value !== null && typeof value === 'object') return [at, ...Object.entries(value).flatMap(([key, child]) => pathsOf(child, [...at, key]))];
  return [at];
}

function isContainer(value: unknown): value is Record<string | number, unknown> {
  return value !== null && typeof value === 'object';
}

/** Sets an own property even for keys such as `__proto__`, which plain assignment would not create. */
function put(target: Record<string | number, unknown>, key: string | number, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function apply(base: unknown, mutations: Mutation[]): unknown {
  let root = structuredClone(base);
  for (const mutation of mutations) {
    if (mutation.path.length === 0 && mutation.kind === 'set') {
      root = mutation.value;
      continue;
    }
    let node: unknown = root;
    const last = mutation.kind === 'add' ? undefined : mutation.path[mutation.path.length - 1];
    const walk = mutation.kind === 'add' ? mutation.path : mutation.path.slice(0, -1);
    for (const step of walk) node = isContainer(node) ? node[step] : undefined;
    if (!isContainer(node)) continue; // an earlier mutation removed or replaced this part
    if (mutation.kind === 'add') put(node, mutation.key, mutation.value);
    else if (mutation.kind === 'set') put(node, last!, mutation.value);
    else if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last!];
  }
  return root;
}

/** A valid body with one to four fields replaced, removed or added, with hostile values. */
export function mutated(base: object): fc.Arbitrary<unknown> {
  const paths = pathsOf(base);
  const inner = paths.filter((path) => path.length > 0);
  let containers: Path[] = paths.filter((path) => isContainer(path.reduce<unknown>((node, step) => (isContainer(node) ? node[step] : undefined), base)));
  containers = containers.filter((path) => !Array.isArray(path.reduce<unknown>((node, step) => (isContainer(node) ? node[step] : undefined), base)));
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...inner), value: hostileJson }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...inner) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('add' as const), path: fc.constantFrom(...containers), key: hostileKey, value: hostileJson }) },
  );
  return fc.array(mutation, { minLength: 1, maxLength: 4 }).map((mutations) => apply(base, mutations));
}

/** A body for a route: mostly a mutated valid one, sometimes anything at all. */
export function hostileBody(base: object): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: mutated(base) },
    { weight: 2, arbitrary: hostileJson },
    { weight: 1, arbitrary: fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 }) },
  );
}

/** JSON text of a generated value, with the HUGE_LITERALS markers written as raw number literals. */
export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.replace(/"#HUGE#(\d+)#"/g, (_, index: string) => HUGE_LITERALS[Number(index)]);
}

/**
 * Percent-encodes every byte but the unreserved ones, after UTF-8 encoding (a lone surrogate
 * becomes U+FFFD, which encodeURIComponent would refuse to encode at all).
 */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
