import type { DefinitionProblem } from './definition.types';
import type { ValidationOptions } from './engine.types';
import { guardProblems } from './guard.util';
import { toPointer } from './json-pointer.util';
import { definitionShapeProblems, paramsSchemaProblems } from './schema-problems.util';
import { hasTemplate, isTemplatePath, TEMPLATE_ROOTS, templatePaths } from './template.util';

/**
 * Validates a workflow definition at publish time and returns every problem found, each with a
 * JSON pointer into the definition. It never throws: input is whatever a client sent.
 *
 * The JSON Schema runs first; the semantic checks then read whatever parts are well-formed, so
 * one malformed state does not hide the problems of the others.
 */
export function validateDefinition(definition: unknown, options: ValidationOptions): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  try {
    problems.push(...definitionShapeProblems(definition));
    if (isRecord(definition)) checkSemantics(definition, options, problems);
  } catch (err) {
    // Defensive: a bug or an absurd input (say, nesting deep enough to exhaust the stack) must
    // still come back as a problem rather than a 500.
    problems.push({ path: '', message: `definition could not be validated: ${errorText(err)}` });
  }
  return problems;
}

interface StepAt {
  step: Record<string, unknown>;
  path: (string | number)[];
}

interface Edge {
  target: unknown;
  path: (string | number)[];
}

function checkSemantics(def: Record<string, unknown>, options: ValidationOptions, out: DefinitionProblem[]): void {
  const states = isRecord(def.states) ? def.states : {};
  const stateNames = new Set(Object.keys(states));
  const edges = new Map<string, Edge[]>();
  const steps: StepAt[] = [];

  for (const [name, raw] of Object.entries(states)) {
    if (name.startsWith('__')) {
      out.push(problem(['states', name], 'state names starting with "__" are reserved for the engine'));
    }
    if (!isRecord(raw)) continue;
    edges.set(name, checkState(name, raw, out));
    if (Array.isArray(raw.steps)) {
      raw.steps.forEach((step, i) => {
        if (isRecord(step)) steps.push({ step, path: ['states', name, 'steps', i] });
      });
    }
  }

  const initial = def.initial;
  if (typeof initial === 'string' && !stateNames.has(initial)) {
    out.push(problem(['initial'], `names no state: "${initial}"`));
  }
  for (const stateEdges of edges.values()) {
    for (const edge of stateEdges) {
      if (typeof edge.target === 'string' && !stateNames.has(edge.target)) {
        out.push(problem(edge.path, `unknown target state "${edge.target}"`));
      }
    }
  }
  if (typeof initial === 'string' && stateNames.has(initial)) {
    checkReachability(initial, stateNames, edges, out);
  }

  checkEventlessLoops(states, out);
  checkStepIds(steps, out);
  checkSteps(def, steps, options, out);
}

/** Per-state rules; returns the state's outgoing edges for the graph checks. */
function checkState(name: string, state: Record<string, unknown>, out: DefinitionProblem[]): Edge[] {
  const base = ['states', name];
  const edges: Edge[] = [];
  if (state.next !== undefined) edges.push({ target: state.next, path: [...base, 'next'] });
  if (state.onError !== undefined) edges.push({ target: state.onError, path: [...base, 'onError'] });
  if (state.onError === name) {
    out.push(problem([...base, 'onError'], 'onError must lead to another state: re-entering the failing state would repeat the failure for ever'));
  }

  const on = isRecord(state.on) ? state.on : {};
  for (const [event, transition] of Object.entries(on)) {
    const eventPath = [...base, 'on', event];
    if (/^caseflow\./i.test(event)) {
      out.push(problem(eventPath, 'event names starting with "caseflow." are reserved for the engine'));
    }
    const forms = typeof transition === 'string' ? [] : Array.isArray(transition) ? transition : [transition];
    if (typeof transition === 'string') edges.push({ target: transition, path: eventPath });
    forms.forEach((form, i) => {
      if (!isRecord(form)) return;
      const formPath = Array.isArray(transition) ? [...eventPath, i] : eventPath;
      edges.push({ target: form.target, path: [...formPath, 'target'] });
      if ('guard' in form) {
        for (const message of guardProblems(form.guard)) {
          out.push(problem([...formPath, 'guard'], `bad guard: ${message}`));
        }
      }
    });
  }

  if (state.type === 'final') {
    for (const key of ['next', 'onError', 'on']) {
      if (state[key] !== undefined) {
        out.push(problem([...base, key], `a final state ends the run: it cannot have "${key}"`));
      }
    }
  } else if (state.next === undefined && Object.keys(on).length === 0) {
    out.push(problem(base, 'state has no way out: add next, on, or type final'));
  }
  return edges;
}

function checkReachability(
  initial: string,
  stateNames: Set<string>,
  edges: Map<string, Edge[]>,
  out: DefinitionProblem[],
): void {
  const reached = new Set([initial]);
  const queue = [initial];
  while (queue.length > 0) {
    const current = queue.shift() as string;
    for (const { target } of edges.get(current) ?? []) {
      if (typeof target === 'string' && stateNames.has(target) && !reached.has(target)) {
        reached.add(target);
        queue.push(target);
      }
    }
  }
  for (const name of stateNames) {
    if (!reached.has(name)) {
      out.push(problem(['states', name], `state is unreachable from the initial state "${initial}"`));
    }
  }
}

// `next` is taken without waiting for anything, so a cycle of states without steps would spin
// forever inside a single transition.
function checkEventlessLoops(states: Record<string, unknown>, out: DefinitionProblem[]): void {
  const eventlessNext = (name: string): string | undefined => {
    const state = Object.hasOwn(states, name) ? states[name] : undefined;
    if (!isRecord(state) || state.type === 'final' || typeof state.next !== 'string') return undefined;
    return Array.isArray(state.steps) && state.steps.length > 0 ? undefined : state.next;
  };
  for (const name of Object.keys(states)) {
    const seen = new Set<string>();
    let current = eventlessNext(name);
    while (current !== undefined && current !== name && !seen.has(current)) {
      seen.add(current);
      current = eventlessNext(current);
    }
    if (current === name) {
      out.push(
        problem(['states', name, 'next'], 'loops back to this state through states without steps: it would never stop'),
      );
    }
  }
}

// Step outputs live at `steps.<id>` for the whole run, so ids are unique across all states.
function checkStepIds(steps: StepAt[], out: DefinitionProblem[]): void {
  const firstSeen = new Map<string, string>();
  for (const { step, path } of steps) {
    if (typeof step.id !== 'string') continue;
    if (step.id.startsWith('__')) {
      out.push(problem([...path, 'id'], 'step ids starting with "__" are reserved for the engine'));
    }
    const earlier = firstSeen.get(step.id);
    if (earlier !== undefined) {
      out.push(problem([...path, 'id'], `duplicate step id "${step.id}" (first used at ${earlier})`));
    } else {
      firstSeen.set(step.id, toPointer(path));
    }
  }
}

function checkSteps(
  def: Record<string, unknown>,
  steps: StepAt[],
  options: ValidationOptions,
  out: DefinitionProblem[],
): void {
  const statusSetKey = typeof def.statusSet === 'string' ? def.statusSet : 'default';
  const statuses = options.statusSets?.get(statusSetKey);
  let statusSetReported = false;
  if (options.statusSets && typeof def.statusSet === 'string' && !statuses) {
    out.push(problem(['statusSet'], `unknown status set "${def.statusSet}"`));
    statusSetReported = true;
  }

  for (const { step, path } of steps) {
    const params = step.params === undefined ? {} : step.params;
    if (!isRecord(params)) continue; // the schema has reported it
    const paramsPath = [...path, 'params'];
    if (exceedsDepth(params, MAX_PARAMS_DEPTH)) {
      out.push(problem(paramsPath, `params are nested more than ${MAX_PARAMS_DEPTH} levels deep`));
      continue;
    }
    checkTemplates(params, paramsPath, out);

    if (typeof step.action !== 'string') continue;
    const action = options.actions.get(step.action);
    if (!action) {
      out.push(problem([...path, 'action'], `unknown action "${step.action}"`));
      continue;
    }

    const checked = paramsSchemaProblems(action.paramsSchema, params, toPointer(paramsPath));
    if (checked.schemaError) {
      out.push(
        problem([...path, 'action'], `action "${action.name}" has an invalid params schema: ${checked.schemaError}`),
      );
    }
    // A templated value is only known at run time; the runtime checks rendered params again.
    const templated = new Set(templatePaths(params).map((t) => toPointer(paramsPath) + t.pointer));
    out.push(...checked.problems.filter((p) => !templated.has(p.path)));

    if (!options.statusSets) continue;
    for (const name of action.statusParams ?? []) {
      const value = params[name];
      if (typeof value !== 'string' || hasTemplate(value)) continue;
      if (!statuses) {
        if (!statusSetReported) {
          out.push(
            problem(['statusSet'], `no status set "${statusSetKey}": name the definition's status set in "statusSet"`),
          );
          statusSetReported = true;
        }
        continue;
      }
      if (!statuses.has(value)) {
        out.push(problem([...paramsPath, name], `status "${value}" is not in status set "${statusSetKey}"`));
      }
    }
  }
}

function checkTemplates(
  params: Record<string, unknown>,
  paramsPath: (string | number)[],
  out: DefinitionProblem[],
): void {
  const base = toPointer(paramsPath);
  for (const { pointer, path } of templatePaths(params)) {
    if (!isTemplatePath(path)) {
      out.push({ path: base + pointer, message: `malformed template "{{ ${path} }}": expected a dotted path` });
    } else if (!TEMPLATE_ROOTS.includes(path.split('.')[0])) {
      out.push({
        path: base + pointer,
        message: `template "{{ ${path} }}" must start with one of ${TEMPLATE_ROOTS.join(', ')}`,
      });
    }
  }
}

// Params are walked recursively here and when rendered at run time; absurd nesting is refused
// up front instead of exhausting the stack later.
const MAX_PARAMS_DEPTH = 32;

/** Iterative, so it is safe on input nested far deeper than the stack allows. */
function exceedsDepth(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

function problem(segments: (string | number)[], message: string): DefinitionProblem {
  return { path: toPointer(segments), message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
