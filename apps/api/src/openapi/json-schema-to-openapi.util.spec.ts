import { workflowDefinitionSchema } from '@app/workflow-core';
import { jsonSchemaToComponents } from './json-schema-to-openapi.util';

describe('jsonSchemaToComponents', () => {
  const components = jsonSchemaToComponents('WorkflowDefinition', workflowDefinitionSchema as never);
  const text = JSON.stringify(components);

  it('hoists definitions into components and points every $ref at one', () => {
    expect(Object.keys(components).sort()).toEqual([
      'WorkflowDefinition',
      'WorkflowDefinitionGuardedTarget',
      'WorkflowDefinitionState',
      'WorkflowDefinitionStep',
      'WorkflowDefinitionTransition',
    ]);
    const refs = [...text.matchAll(/"\$ref":"([^"]+)"/g)].map((match) => match[1].replace('#/components/schemas/', ''));
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((ref) => !(ref in components))).toEqual([]);
  });

  it('leaves no draft-07-only keyword, but keeps a property named $schema', () => {
    expect(text).not.toMatch(/"(definitions|propertyNames|if|then|else|const)":/);
    expect(components.WorkflowDefinition.properties).toHaveProperty('$schema');
    expect(components.WorkflowDefinition).not.toHaveProperty('$schema');
  });

  it('turns type lists and if/then/else chains into oneOf', () => {
    expect(components.WorkflowDefinitionTransition).toEqual({
      oneOf: [
        { type: 'string', minLength: 1 },
        { type: 'array', minItems: 1, items: { $ref: '#/components/schemas/WorkflowDefinitionGuardedTarget' } },
        { $ref: '#/components/schemas/WorkflowDefinitionGuardedTarget' },
      ],
    });
    expect(components.WorkflowDefinitionGuardedTarget.properties?.guard).toEqual({ oneOf: [{ type: 'object' }, { type: 'boolean' }] });
    expect(components.WorkflowDefinitionState.properties?.type).toEqual({ type: 'string', enum: ['final'] });
  });

  it('does not touch the schema the API serves', () => {
    expect(workflowDefinitionSchema.definitions.transition.type).toEqual(['string', 'object', 'array']);
  });
});
