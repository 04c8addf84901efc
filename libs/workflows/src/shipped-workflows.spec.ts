import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT_IN_ACTIONS, WorkflowAction } from '@app/actions';
import { BUILT_IN_STATUS_SETS } from '@app/statuses';
import { ActionDescriptor, compileWorkflow, startRun, validateDefinition, WorkflowDefinition } from '@app/workflow-core';

/** Every definition shipped in workflows/ is published at start-up: each must be valid and compile. */
describe('shipped workflows', () => {
  const folder = join(__dirname, '../../../workflows');
  const files = readdirSync(folder).filter((file) => file.endsWith('.json'));
  const actions = new Map<string, ActionDescriptor>(
    BUILT_IN_ACTIONS.map((Action) => {
      // Only the static description is read here; no method runs, so no service is needed.
      const action: WorkflowAction = new Action(undefined as never);
      return [action.name, { name: action.name, paramsSchema: action.paramsSchema, statusParams: action.statusParams }];
    }),
  );
  const statusSets = new Map(BUILT_IN_STATUS_SETS.map((set) => [set.key, new Set(set.statuses.map((status) => status.key))]));

  it('finds the shipped definitions', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s is a valid definition that starts a run', (file) => {
    const definition = JSON.parse(readFileSync(join(folder, file), 'utf8')) as WorkflowDefinition;
    expect(validateDefinition(definition, { actions, statusSets })).toEqual([]);
    expect(file).toBe(`${definition.key}.json`);
    const started = startRun(compileWorkflow(definition));
    expect(started.state).toBe(definition.initial);
  });
});
