import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import type { DefinitionProblem } from './definition.types';
import { escapePointer } from './json-pointer.util';
import { workflowDefinitionSchema } from './workflow-definition.schema';

/**
 * Runs JSON Schemas with ajv and turns ajv errors into DefinitionProblems: one per mistake, with
 * the pointer on the offending property (a missing `initial` points at `/initial`, not at `/`).
 */

const definitionAjv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const checkDefinitionShape = definitionAjv.compile(workflowDefinitionSchema);

// Action schemas are written by action authors: tolerate unknown keywords, and don't register
// their `$id`s, or two actions reusing an id would clash in the shared instance.
const paramsAjv = new Ajv({ allErrors: true, strict: false, addUsedSchema: false });
addFormats(paramsAjv);

type CompiledParamsSchema = { validate: ValidateFunction } | { error: string };
const paramsValidators = new WeakMap<object, CompiledParamsSchema>();

/** Problems of `definition` against the workflow definition JSON Schema. */
export function definitionShapeProblems(definition: unknown): DefinitionProblem[] {
  if (checkDefinitionShape(definition)) return [];
  return schemaErrorsToProblems(checkDefinitionShape.errors ?? [], '');
}

/**
 * Validates `params` against an action's params schema, compiled once per schema object.
 * `schemaError` is set, with no problems, when the action's schema itself does not compile.
 */
export function paramsSchemaProblems(
  schema: Record<string, unknown>,
  params: unknown,
  basePath: string,
): { problems: DefinitionProblem[]; schemaError?: string } {
  const compiled = compileParamsSchema(schema);
  if ('error' in compiled) return { problems: [], schemaError: compiled.error };
  if (compiled.validate(params)) return { problems: [] };
  return { problems: schemaErrorsToProblems(compiled.validate.errors ?? [], basePath) };
}

function compileParamsSchema(schema: Record<string, unknown>): CompiledParamsSchema {
  let compiled = paramsValidators.get(schema);
  if (!compiled) {
    try {
      compiled = { validate: paramsAjv.compile(schema) };
    } catch (err) {
      compiled = { error: err instanceof Error ? err.message : String(err) };
    }
    paramsValidators.set(schema, compiled);
  }
  return compiled;
}

/** Maps ajv errors to problems under `basePath`, dropping ajv's bookkeeping errors and duplicates. */
export function schemaErrorsToProblems(errors: ErrorObject[], basePath: string): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const seen = new Set<string>();
  // Once a value has the wrong type, what nested subschemas say about it is noise: keep only the
  // first type error at that place.
  const firstTypeError = new Map<string, ErrorObject>();
  for (const error of errors) {
    if (error.keyword === 'type' && !firstTypeError.has(error.instancePath))
      firstTypeError.set(error.instancePath, error);
  }
  for (const error of errors) {
    const typeError = firstTypeError.get(error.instancePath);
    if (typeError !== undefined && typeError !== error) continue;
    const problem = toProblem(error, basePath);
    if (!problem) continue;
    const key = `${problem.path}\n${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function toProblem(error: ErrorObject, basePath: string): DefinitionProblem | undefined {
  const at = basePath + error.instancePath;
  const params = error.params as Record<string, unknown>;
  // `if` only says "must match then/else"; the branch's own errors say what is wrong.
  // `propertyNames` repeats the error already reported against the name itself.
  if (error.keyword === 'if' || error.keyword === 'propertyNames') return undefined;
  if (error.propertyName !== undefined) {
    return {
      path: `${at}/${escapePointer(error.propertyName)}`,
      message: `name "${error.propertyName}" ${error.message ?? 'is invalid'}`,
    };
  }
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    return { path: `${at}/${escapePointer(params.missingProperty)}`, message: 'is required' };
  }
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return {
      path: `${at}/${escapePointer(params.additionalProperty)}`,
      message: `unknown property "${params.additionalProperty}"`,
    };
  }
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return { path: at, message: `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}` };
  }
  if (error.keyword === 'const') {
    return { path: at, message: `must be ${JSON.stringify(params.allowedValue)}` };
  }
  return { path: at, message: error.message ?? `fails "${error.keyword}"` };
}
