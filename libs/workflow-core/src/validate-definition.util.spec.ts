import Ajv from 'ajv';

import type { DefinitionProblem, WorkflowDefinition } from './definition.types';
import type { ActionDescriptor } from './engine.types';
import { testActions, testOptions } from './testing/action-catalog.fixture';
import { kybDefinition } from './testing/kyb-definition.fixture';
import { validateDefinition } from './validate-definition.util';

/** Validates a KYB definition changed by `change`. */
function problemsOf(change: (def: WorkflowDefinition) => void, options = testOptions()): DefinitionProblem[] {
  const def = kybDefinition();
  change(def);
  return validateDefinition(def, options);
}

function at(problems: DefinitionProblem[], path: string): DefinitionProblem[] {
  return problems.filter((p) => p.path === path);
}

describe('validateDefinition', () => {
  it('accepts the KYB example of the spec', () => {
    expect(validateDefinition(kybDefinition(), testOptions())).toEqual([]);
  });

  it('accepts a definition with $schema and description', () => {
    const problems = problemsOf((d) => Object.assign(d, { $schema: 'https://x/schema.json', description: 'KYB' }));
    expect(problems).toEqual([]);
  });

  it('reports an initial that names no state', () => {
    const problems = problemsOf((d) => (d.initial = 'start'));
    expect(at(problems, '/initial')).toEqual([{ path: '/initial', message: 'names no state: "start"' }]);
  });

  describe('unknown targets', () => {
    it('reports them in next, onError and every form of on', () => {
      const problems = problemsOf((d) => {
        d.states.processing.next = 'reveiw';
        d.states.processing.onError = 'oops';
        d.states.collection.on!.COLLECTION_COMPLETED = 'procesing';
        d.states.review.on!.RISK_CHANGED = { target: 'escalate', guard: true };
        d.states.escalated.on!.CASE_REJECTED = [{ target: 'rejected', guard: false }, { target: 'nope' }];
      });
      expect(at(problems, '/states/processing/next')[0].message).toBe('unknown target state "reveiw"');
      expect(at(problems, '/states/processing/onError')[0].message).toBe('unknown target state "oops"');
      expect(at(problems, '/states/collection/on/COLLECTION_COMPLETED')[0].message).toBe(
        'unknown target state "procesing"',
      );
      expect(at(problems, '/states/review/on/RISK_CHANGED/target')[0].message).toBe('unknown target state "escalate"');
      expect(at(problems, '/states/escalated/on/CASE_REJECTED/1/target')[0].message).toBe(
        'unknown target state "nope"',
      );
    });

    it('does not take an inherited property name for a state', () => {
      const problems = problemsOf((d) => (d.states.processing.next = 'toString'));
      expect(at(problems, '/states/processing/next')[0].message).toBe('unknown target state "toString"');
    });
  });

  it('reports an unreachable state', () => {
    const problems = problemsOf((d) => (d.states.archived = { type: 'final' }));
    expect(problems).toEqual([
      { path: '/states/archived', message: 'state is unreachable from the initial state "collection"' },
    ]);
  });

  it('reports a duplicate step id at its second occurrence, even across states', () => {
    const problems = problemsOf((d) => (d.states.escalated.steps![0].id = 'mark'));
    expect(problems).toEqual([
      {
        path: '/states/escalated/steps/0/id',
        message: 'duplicate step id "mark" (first used at /states/collection/steps/0)',
      },
    ]);
  });

  it('reports an unknown action', () => {
    const problems = problemsOf((d) => (d.states.escalated.steps![0].action = 'case.asign'));
    expect(problems).toEqual([{ path: '/states/escalated/steps/0/action', message: 'unknown action "case.asign"' }]);
  });

  describe('action params', () => {
    it('points into params for a wrong type, a missing and an unknown param', () => {
      const problems = problemsOf((d) => {
        d.states.collection.steps![0].params = { status: 42 };
        d.states.review.steps![0].params = { reason: 'x' };
        d.states.escalated.steps![0].params = { queue: 'q', colour: 'red' };
      });
      expect(at(problems, '/states/collection/steps/0/params/status')).toEqual([
        { path: '/states/collection/steps/0/params/status', message: 'must be string' },
      ]);
      expect(at(problems, '/states/review/steps/0/params/status')).toEqual([
        { path: '/states/review/steps/0/params/status', message: 'is required' },
      ]);
      expect(at(problems, '/states/escalated/steps/0/params/colour')[0].message).toBe('unknown property "colour"');
    });

    it('checks steps without params against an empty object', () => {
      const problems = problemsOf((d) => delete d.states.approved.steps![0].params);
      expect(problems).toEqual([{ path: '/states/approved/steps/0/params/url', message: 'is required' }]);
    });

    it('leaves templated values to run time', () => {
      const problems = problemsOf((d) => {
        d.states.processing.steps![1].params = {
          method: 'GET',
          url: '{{ vars.url }}',
          timeoutMs: '{{ vars.timeout }}',
        };
      });
      expect(problems).toEqual([]);
    });

    it('still checks a plain string where a template could have been', () => {
      const problems = problemsOf((d) => {
        d.states.processing.steps![1].params = { method: 'GET', url: 'x', timeoutMs: 'soon' };
      });
      expect(problems.map((p) => p.path).sort()).toEqual([
        '/states/processing/steps/1/params/timeoutMs',
        '/states/processing/steps/1/params/url',
      ]);
    });

    it('reports an action whose own params schema does not compile', () => {
      const broken: ActionDescriptor = { name: 'case.assign', paramsSchema: { type: 'nonsense' } };
      const options = testOptions({
        actions: new Map([...testActions.map((a) => [a.name, a] as const), ['case.assign', broken]]),
      });
      const problems = validateDefinition(kybDefinition(), options);
      expect(problems).toHaveLength(1);
      expect(problems[0].path).toBe('/states/escalated/steps/0/action');
      expect(problems[0].message).toMatch(/^action "case.assign" has an invalid params schema/);
    });

    it('compiles each action schema once', () => {
      const action: ActionDescriptor = { name: 'case.assign', paramsSchema: { type: 'object' } };
      const options = testOptions({
        actions: new Map([...testActions.map((a) => [a.name, a] as const), ['case.assign', action]]),
      });
      const compile = jest.spyOn(Ajv.prototype, 'compile');
      try {
        validateDefinition(kybDefinition(), options);
        validateDefinition(kybDefinition(), options);
        expect(compile.mock.calls.filter(([schema]) => schema === action.paramsSchema)).toHaveLength(1);
      } finally {
        compile.mockRestore();
      }
    });
  });

  describe('statuses', () => {
    it('reports a status missing from the status set', () => {
      const problems = problemsOf((d) => (d.states.review.steps![0].params = { status: 'in_review' }));
      expect(problems).toEqual([
        { path: '/states/review/steps/0/params/status', message: 'status "in_review" is not in status set "kyb"' },
      ]);
    });

    it('skips templated statuses and definitions validated without status sets', () => {
      expect(problemsOf((d) => (d.states.review.steps![0].params = { status: '{{ vars.next }}' }))).toEqual([]);
      const withoutSets = testOptions();
      delete withoutSets.statusSets;
      expect(problemsOf((d) => (d.states.review.steps![0].params = { status: 'whatever' }), withoutSets)).toEqual([]);
    });

    it('uses the default set when statusSet is not given', () => {
      const problems = problemsOf((d) => {
        delete d.statusSet;
        d.states.review.steps![0].params = { status: 'open' };
      });
      expect(problems.map((p) => p.path)).toEqual([
        '/states/collection/steps/0/params/status',
        '/states/processing/steps/0/params/status',
      ]);
      expect(problems[0].message).toBe('status "collection_flow" is not in status set "default"');
    });

    it('reports an unknown status set once, at /statusSet', () => {
      const problems = problemsOf((d) => (d.statusSet = 'kyc'));
      expect(problems).toEqual([{ path: '/statusSet', message: 'unknown status set "kyc"' }]);
    });

    it('reports a missing default set when statuses are used without a statusSet', () => {
      const options = testOptions({ statusSets: new Map() });
      const problems = problemsOf((d) => delete d.statusSet, options);
      expect(problems).toHaveLength(1);
      expect(problems[0].path).toBe('/statusSet');
      expect(problems[0].message).toMatch(/no status set "default"/);
    });
  });

  describe('guards', () => {
    it('reports an unknown operator at the guard', () => {
      const problems = problemsOf((d) => {
        d.states.review.on!.RISK_CHANGED = { target: 'escalated', guard: { method: [{ var: 'case' }, 'toString'] } };
      });
      expect(problems).toEqual([
        { path: '/states/review/on/RISK_CHANGED/guard', message: 'bad guard: unknown operator "method"' },
      ]);
    });

    it('reports a var outside the scope, in the list form too', () => {
      const problems = problemsOf((d) => {
        d.states.review.on!.RISK_CHANGED = [
          { target: 'rejected', guard: false },
          { target: 'escalated', guard: { var: 'data.riskScore' } },
        ];
      });
      expect(problems).toHaveLength(1);
      expect(problems[0].path).toBe('/states/review/on/RISK_CHANGED/1/guard');
      expect(problems[0].message).toMatch(/var "data.riskScore" must start with one of case, run, steps, vars, event/);
    });
  });

  it('refuses next, onError and on in a final state', () => {
    const problems = problemsOf((d) => {
      d.states.approved.next = 'rejected';
      d.states.approved.onError = 'rejected';
      d.states.approved.on = { REOPEN: 'review' };
    });
    expect(problems).toEqual([
      { path: '/states/approved/next', message: 'a final state ends the run: it cannot have "next"' },
      { path: '/states/approved/onError', message: 'a final state ends the run: it cannot have "onError"' },
      { path: '/states/approved/on', message: 'a final state ends the run: it cannot have "on"' },
    ]);
  });

  it('reports a non-final state with no way out', () => {
    const problems = problemsOf((d) => delete d.states.escalated.on);
    expect(problems).toEqual([
      { path: '/states/escalated', message: 'state has no way out: add next, on, or type final' },
    ]);
  });

  it('treats an empty on as no way out', () => {
    const problems = problemsOf((d) => (d.states.escalated.on = {}));
    expect(problems).toEqual([
      { path: '/states/escalated', message: 'state has no way out: add next, on, or type final' },
    ]);
  });

  it('refuses an onError that leads back to the failing state', () => {
    const problems = problemsOf((d) => (d.states.processing.onError = 'processing'));
    expect(problems).toEqual([
      {
        path: '/states/processing/onError',
        message: 'onError must lead to another state: re-entering the failing state would repeat the failure for ever',
      },
    ]);
  });

  it('reports a loop of states without steps', () => {
    const problems = problemsOf((d) => {
      d.states.collection.on!.SKIP = 'hop';
      d.states.hop = { next: 'skip' };
      d.states.skip = { next: 'hop' };
    });
    expect(problems.map((p) => p.path).sort()).toEqual(['/states/hop/next', '/states/skip/next']);
    expect(problems[0].message).toMatch(/never stop/);
  });

  it('reports a template whose root is not in scope, and a malformed template', () => {
    const problems = problemsOf((d) => {
      d.states.processing.steps![1].params = {
        method: 'GET',
        url: 'https://registry/{{ secrets.TOKEN }}',
        headers: { 'x/trace': '{{ run..id }}' },
      };
    });
    expect(problems).toEqual([
      {
        path: '/states/processing/steps/1/params/url',
        message: 'template "{{ secrets.TOKEN }}" must start with one of case, run, steps, event, env, vars',
      },
      {
        path: '/states/processing/steps/1/params/headers/x~1trace',
        message: 'malformed template "{{ run..id }}": expected a dotted path',
      },
    ]);
  });

  it('reserves engine names: __ states and step ids, caseflow.* events', () => {
    const problems = problemsOf((d) => {
      d.states.__done = { type: 'final' };
      d.states.review.on!.__done = '__done';
      d.states.review.on!['caseflow.step.succeeded'] = 'approved';
      d.states.escalated.steps![0].id = '__proto__';
    });
    expect(at(problems, '/states/__done')[0].message).toMatch(/reserved/);
    expect(at(problems, '/states/review/on/caseflow.step.succeeded')[0].message).toMatch(/reserved/);
    expect(at(problems, '/states/escalated/steps/0/id')[0].message).toMatch(/reserved/);
  });

  it('lists several problems at once', () => {
    const problems = problemsOf((d) => {
      d.initial = 'nowhere';
      d.states.escalated.steps![0].action = 'nope';
      d.states.processing.next = 'gone';
      d.states.collection.steps![0].params = { status: 'bogus' };
    });
    expect(problems.map((p) => p.path).sort()).toEqual([
      '/initial',
      '/states/collection/steps/0/params/status',
      '/states/escalated/steps/0/action',
      '/states/processing/next',
    ]);
  });

  describe('garbage in', () => {
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 20_000; i++) cursor = cursor.n = {};

    const inputs: [string, unknown][] = [
      ['null', null],
      ['undefined', undefined],
      ['a number', 42],
      ['a string', 'kyb'],
      ['an array', [kybDefinition()]],
      ['an empty object', {}],
      ['states as an array', { key: 'k', name: 'n', initial: 'a', states: [] }],
      ['states as null', { key: 'k', name: 'n', initial: 'a', states: null }],
      ['a null state', { key: 'k', name: 'n', initial: 'a', states: { a: null } }],
      ['steps as a string', { key: 'k', name: 'n', initial: 'a', states: { a: { steps: 'x', next: 'a' } } }],
      [
        'null steps and bad transitions',
        { initial: 7, states: { a: { steps: [null, 3, { id: 5 }], on: { X: [null, 5, {}] }, next: 3 } } },
      ],
      [
        'a guard of every type',
        {
          states: {
            a: {
              on: {
                X: [
                  { target: 'a', guard: null },
                  { target: 'a', guard: [[{ '??': 1 }]] },
                ],
              },
            },
          },
        },
      ],
      ['a prototype-less object', Object.assign(Object.create(null), { key: 'k', states: Object.create(null) })],
      [
        'params nested 20000 deep',
        {
          key: 'k',
          name: 'n',
          initial: 'a',
          states: { a: { type: 'final', steps: [{ id: 's', action: 'case.assign', params: deep }] } },
        },
      ],
    ];

    it.each(inputs)('never throws on %s and reports something', (_label, input) => {
      let problems: DefinitionProblem[] = [];
      expect(() => (problems = validateDefinition(input, testOptions()))).not.toThrow();
      expect(problems.length).toBeGreaterThan(0);
      for (const p of problems) {
        expect(typeof p.path).toBe('string');
        expect(typeof p.message).toBe('string');
      }
    });

    it('refuses absurdly nested params with a problem at params', () => {
      const problems = validateDefinition(
        {
          key: 'k',
          name: 'n',
          initial: 'a',
          states: { a: { type: 'final', steps: [{ id: 's', action: 'case.assign', params: deep }] } },
        },
        testOptions(),
      );
      expect(problems).toEqual([
        { path: '/states/a/steps/0/params', message: 'params are nested more than 32 levels deep' },
      ]);
    });

    it('reports a non-object definition at the root', () => {
      expect(validateDefinition(null, testOptions())).toEqual([{ path: '', message: 'must be object' }]);
    });
  });
});
