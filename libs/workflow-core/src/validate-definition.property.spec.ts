import fc from 'fast-check';
import { compileWorkflow } from './compile-workflow.util';
import type { WorkflowDefinition } from './definition.types';
import { applyEvent, startRun } from './run-transition.util';
import { testOptions } from './testing/action-catalog.fixture';
import { kybDefinition } from './testing/kyb-definition.fixture';
import { validateDefinition } from './validate-definition.util';

/**
 * Property tests: whatever an author (or an attacker) sends, the validator answers with a list of
 * problems and never throws; and whatever it passes compiles and runs.
 */
const options = testOptions();

function expectWellFormed(problems: unknown): void {
  expect(Array.isArray(problems)).toBe(true);
  for (const problem of problems as Array<{ path: unknown; message: unknown }>) {
    expect(typeof problem.path).toBe('string');
    expect(problem.path === '' || (problem.path as string).startsWith('/')).toBe(true);
    expect(typeof problem.message).toBe('string');
    expect((problem.message as string).length).toBeGreaterThan(0);
  }
}

/** Replaces the value at a random path of a definition with a random JSON value, or deletes it. */
function mutate(definition: unknown, path: string[], replacement: unknown, remove: boolean): unknown {
  if (path.length === 0) return replacement;
  if (definition === null || typeof definition !== 'object') return definition;
  const copy: Record<string, unknown> = Array.isArray(definition) ? ([...definition] as never) : { ...(definition as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (keys.length === 0) return copy;
  const key = keys[Math.abs(hash(path[0])) % keys.length];
  if (path.length === 1 && remove) delete copy[key];
  else copy[key] = mutate(copy[key], path.slice(1), replacement, remove);
  return copy;
}

function hash(text: string): number {
  let h = 0;
  for (const char of text) h = (h * 31 + char.charCodeAt(0)) | 0;
  return h;
}

describe('validateDefinition (properties)', () => {
  it('never throws on arbitrary JSON and always answers well-formed problems', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const problems = validateDefinition(value, options);
        expectWellFormed(problems);
        if (value === null || typeof value !== 'object' || Array.isArray(value)) expect(problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 400 },
    );
  });

  it('never throws on mutations of a valid definition', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 6 }),
        fc.jsonValue({ maxDepth: 3 }),
        fc.boolean(),
        (path, replacement, remove) => {
          const mutated = mutate(kybDefinition(), path, replacement, remove);
          expectWellFormed(validateDefinition(mutated, options));
        },
      ),
      { numRuns: 600 },
    );
  });

  it('passes only definitions that compile and start', () => {
    let stillValid = 0;
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 6 }),
        fc.jsonValue({ maxDepth: 3 }),
        fc.boolean(),
        (path, replacement, remove) => {
          const mutated = mutate(kybDefinition(), path, replacement, remove);
          if (validateDefinition(mutated, options).length > 0) return;
          stillValid++;
          const compiled = compileWorkflow(mutated as WorkflowDefinition);
          const started = startRun(compiled);
          expect(Object.keys((mutated as WorkflowDefinition).states)).toContain(started.state);
          // Any event, even a made-up one, is answered (accepted or not) without throwing.
          expect(() => applyEvent(compiled, started.snapshot, { type: 'SOMETHING_ELSE' })).not.toThrow();
        },
      ),
      { numRuns: 600 },
    );
    // The property says something only if some mutations kept the definition valid.
    expect(stillValid).toBeGreaterThan(10);
  });
});
