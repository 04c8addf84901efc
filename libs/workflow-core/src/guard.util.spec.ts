import { evaluateGuard, guardProblems } from './guard.util';

describe('evaluateGuard', () => {
  const scope = {
    case: {
      data: {
        riskScore: 85,
        country: 'FR',
        ubos: [
          { name: 'Ada', share: 60 },
          { name: 'Bob', share: 40 },
        ],
      },
    },
    run: { id: 'r1' },
    steps: { registry: { output: { status: 'active' } } },
    vars: { registry: { status: 'active' } },
    event: { type: 'RISK_CHANGED', payload: { by: 'ops' } },
  };

  it('compares values read from the scope', () => {
    expect(evaluateGuard({ '>': [{ var: 'case.data.riskScore' }, 80] }, scope)).toBe(true);
    expect(evaluateGuard({ '>': [{ var: 'case.data.riskScore' }, 90] }, scope)).toBe(false);
  });

  it('reads steps, vars and the event', () => {
    expect(evaluateGuard({ '==': [{ var: 'steps.registry.output.status' }, 'active'] }, scope)).toBe(true);
    expect(evaluateGuard({ '==': [{ var: 'vars.registry.status' }, 'active'] }, scope)).toBe(true);
    expect(evaluateGuard({ '==': [{ var: 'event.payload.by' }, 'ops'] }, scope)).toBe(true);
  });

  it('uses JSONLogic truthiness of the result', () => {
    expect(evaluateGuard({ var: 'case.data.country' }, scope)).toBe(true);
    expect(evaluateGuard({ var: 'case.data.missing' }, scope)).toBe(false);
    expect(evaluateGuard({ merge: [[]] }, scope)).toBe(false); // an empty array is false in JSONLogic
    expect(evaluateGuard(true, scope)).toBe(true);
    expect(evaluateGuard(false, scope)).toBe(false);
  });

  it('iterates with var relative to the current item', () => {
    const anyMajority = { some: [{ var: 'case.data.ubos' }, { '>': [{ var: 'share' }, 50] }] };
    expect(evaluateGuard(anyMajority, scope)).toBe(true);
    const allMajority = { all: [{ var: 'case.data.ubos' }, { '>': [{ var: 'share' }, 50] }] };
    expect(evaluateGuard(allMajority, scope)).toBe(false);
  });

  it('is false for a guard with static problems or one that throws', () => {
    expect(evaluateGuard({ method: [{ var: 'case.data.country' }, 'toLowerCase'] }, scope)).toBe(false);
    expect(evaluateGuard({ '!': [{ var: 'secrets.key' }] }, scope)).toBe(false);
  });
});

describe('guardProblems', () => {
  it('accepts literals and well-formed expressions', () => {
    expect(guardProblems(true)).toEqual([]);
    expect(guardProblems(3)).toEqual([]);
    expect(guardProblems('yes')).toEqual([]);
    expect(guardProblems(null)).toEqual([]);
    expect(
      guardProblems({
        and: [
          { '>': [{ var: 'case.data.riskScore' }, 80] },
          { in: [{ var: 'event.payload.reason' }, ['fraud', 'sanctions']] },
          { '!': { var: 'run.cancelled' } },
          { if: [{ var: ['steps.registry.output', null] }, true, false] },
          { missing: ['case.data.company', 'case.data.country'] },
          { '==': [{ var: '' }, null] },
        ],
      }),
    ).toEqual([]);
  });

  it('names an unknown operator and where it is', () => {
    expect(guardProblems({ and: [true, { regex: ['a', 'b'] }] })).toEqual(['unknown operator "regex" (at /and/1)']);
    expect(guardProblems({ method: [{ var: 'case' }, 'toString'] })).toEqual(['unknown operator "method"']);
  });

  it('requires exactly one key per operation', () => {
    expect(guardProblems({ '==': [1, 1], '!=': [1, 2] })).toEqual([
      'an operation must have exactly one operator key, found 2',
    ]);
    expect(guardProblems({ or: [{}] })).toEqual([
      'an operation must have exactly one operator key, found 0 (at /or/0)',
    ]);
  });

  it('requires var paths to start with a scope root', () => {
    expect(guardProblems({ var: 'data.riskScore' })).toEqual([
      'var "data.riskScore" must start with one of case, run, steps, vars, event (at /var)',
    ]);
    expect(guardProblems({ '>': [{ var: ['riskScore', 0] }, 1] })).toEqual([
      'var "riskScore" must start with one of case, run, steps, vars, event (at />/0/var/0)',
    ]);
    expect(guardProblems({ missing: ['company'] })[0]).toMatch(/var "company" must start with/);
  });

  it('skips the root check for the item logic of iterating operators, not for their input', () => {
    expect(guardProblems({ some: [{ var: 'case.data.ubos' }, { '>': [{ var: 'share' }, 50] }] })).toEqual([]);
    expect(
      guardProblems({
        reduce: [{ var: 'case.data.ubos' }, { '+': [{ var: 'current.share' }, { var: 'accumulator' }] }, 0],
      }),
    ).toEqual([]);
    expect(guardProblems({ map: [{ var: 'ubos' }, { var: 'name' }] })).toHaveLength(1);
  });

  it('checks computed var paths and defaults too', () => {
    expect(guardProblems({ var: [{ cat: ['case.', { bogus: 1 }] }] })).toEqual([
      'unknown operator "bogus" (at /var/0/cat/1)',
    ]);
  });

  it('refuses absurd nesting instead of recursing without limit', () => {
    let logic: unknown = true;
    for (let i = 0; i < 200; i++) logic = { '!': [logic] };
    expect(guardProblems(logic)[0]).toMatch(/nested more than 64 levels/);
  });
});
