/** JSON pointers (RFC 6901), the `path` of every DefinitionProblem. */

export function escapePointer(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Builds a pointer from raw segments: `toPointer(['states', 'a/b'])` -> `/states/a~1b`. */
export function toPointer(segments: ReadonlyArray<string | number>): string {
  return segments.map((s) => `/${escapePointer(s)}`).join('');
}
