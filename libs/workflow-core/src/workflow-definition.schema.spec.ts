import Ajv from 'ajv';

import type { DefinitionProblem, WorkflowDefinition } from './definition.types';
import { testOptions } from './testing/action-catalog.fixture';
import { kybDefinition } from './testing/kyb-definition.fixture';
import { validateDefinition } from './validate-definition.util';
import { workflowDefinitionSchema } from './workflow-definition.schema';

function problemsOf(change: (def: WorkflowDefinition) => void): DefinitionProblem[] {
  const def = kybDefinition();
  change(def);
  return validateDefinition(def, testOptions());
}

function at(problems: DefinitionProblem[], path: string): DefinitionProblem[] {
  return problems.filter((p) => p.path === path);
}

describe('workflowDefinitionSchema', () => {
  it('is a valid draft-07 schema that plain JSON can carry', () => {
    const ajv = new Ajv();
    expect(ajv.validateSchema(workflowDefinitionSchema)).toBe(true);
    expect(JSON.parse(JSON.stringify(workflowDefinitionSchema))).toEqual(workflowDefinitionSchema);
  });

  it('accepts the KYB example on its own', () => {
    const validate = new Ajv({ allowUnionTypes: true }).compile(workflowDefinitionSchema);
    expect(validate(kybDefinition())).toBe(true);
  });

  it('reports its problems through validateDefinition', () => {
    expect(problemsOf((d) => (d.name = ''))).toEqual([
      { path: '/name', message: 'must NOT have fewer than 1 characters' },
    ]);
  });

  describe('as mapped by validateDefinition', () => {
    it('points a missing initial at /initial', () => {
      const problems = problemsOf((d) => delete (d as Partial<WorkflowDefinition>).initial);
      expect(problems).toEqual([{ path: '/initial', message: 'is required' }]);
    });

    it('reports a bad key, an unknown top-level property and a bad retry', () => {
      const problems = problemsOf((d) => {
        d.key = 'KYB onboarding';
        Object.assign(d, { colour: 'blue' });
        d.states.processing.steps![1].retry = { maxAttempts: 0 };
      });
      expect(at(problems, '/key')[0].message).toMatch(/pattern/);
      expect(at(problems, '/colour')).toEqual([{ path: '/colour', message: 'unknown property "colour"' }]);
      expect(at(problems, '/states/processing/steps/1/retry/maxAttempts')[0].message).toMatch(/>= 1/);
    });

    it('reports a bad backoff type with the allowed values', () => {
      const problems = problemsOf((d) => {
        d.states.processing.steps![1].retry = { backoff: { type: 'linear' as 'fixed', delayMs: 10 } };
      });
      expect(problems).toEqual([
        { path: '/states/processing/steps/1/retry/backoff/type', message: 'must be one of "fixed", "exponential"' },
      ]);
    });

    it('points a bad state name, event name and step id at the name', () => {
      const problems = problemsOf((d) => {
        d.states['bad name'] = { type: 'final' };
        d.states.review.on!['case approved'] = 'approved';
        d.states.review.steps![0].id = 'to review';
        d.states.collection.on!.GO_BAD = 'bad name';
      });
      expect(at(problems, '/states/bad name')[0].message).toMatch(/^name "bad name" must match pattern/);
      expect(at(problems, '/states/review/on/case approved')[0].message).toMatch(/^name "case approved"/);
      expect(at(problems, '/states/review/steps/0/id')[0].message).toMatch(/pattern/);
    });

    it('reports an unknown property inside a state and inside a guarded target', () => {
      const problems = problemsOf((d) => {
        Object.assign(d.states.review, { timeout: 5 });
        d.states.review.on!.RISK_CHANGED = { target: 'escalated', when: true } as never;
      });
      expect(at(problems, '/states/review/timeout')[0].message).toBe('unknown property "timeout"');
      expect(at(problems, '/states/review/on/RISK_CHANGED/when')[0].message).toBe('unknown property "when"');
    });

    it('reports a transition of the wrong type once, not once per alternative', () => {
      const problems = problemsOf((d) => {
        d.states.review.on!.CASE_APPROVED = 42 as never;
      });
      expect(at(problems, '/states/review/on/CASE_APPROVED')).toEqual([
        { path: '/states/review/on/CASE_APPROVED', message: 'must be string,object,array' },
      ]);
    });
  });
});
