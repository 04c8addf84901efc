import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

type JsonSchema = { [keyword: string]: unknown };

/** Keywords whose value is one schema, or a list or a map of schemas, to convert in turn. */
const ONE = ['items', 'not', 'additionalProperties'];
const LIST = ['oneOf', 'anyOf', 'allOf'];
const MAP = ['properties'];
/** Draft-07 keywords an OpenAPI 3.0 schema object does not have (if/then/else are rewritten first). */
const DROPPED = new Set(['$schema', '$id', 'definitions', 'propertyNames', 'if', 'then', 'else', 'const']);

/**
 * Turns a draft-07 JSON Schema into OpenAPI 3.0 components: `definitions` become components named
 * `<name><Definition>` with their `$ref`s rewritten (a `#/definitions/...` pointer means nothing in
 * the OpenAPI document), type lists become oneOf, `const` an enum, and `if {type} then ... else`
 * chains become oneOf branches. Keywords 3.0 lacks (propertyNames) are dropped, so the component
 * documents the shape; the exact schema stays the one served at GET /v1/workflows/schema.
 */
export function jsonSchemaToComponents(name: string, schema: JsonSchema): Record<string, SchemaObject> {
  const definitions = (schema.definitions ?? {}) as Record<string, JsonSchema>;
  const componentOf = (definition: string) => `${name}${definition[0].toUpperCase()}${definition.slice(1)}`;
  const convert = (node: JsonSchema): JsonSchema => {
    if (typeof node.$ref === 'string') {
      const match = /^#\/definitions\/(.+)$/.exec(node.$ref);
      return { $ref: match ? `#/components/schemas/${componentOf(match[1])}` : node.$ref };
    }
    const out: JsonSchema = {};
    for (const [keyword, value] of Object.entries(node)) {
      if (DROPPED.has(keyword)) continue;
      if (ONE.includes(keyword) && isSchema(value)) out[keyword] = convert(value);
      else if (LIST.includes(keyword) && Array.isArray(value)) out[keyword] = value.map((item: JsonSchema) => convert(item));
      else if (MAP.includes(keyword) && isSchema(value)) out[keyword] = Object.fromEntries(Object.entries(value).map(([key, item]) => [key, convert(item as JsonSchema)]));
      else out[keyword] = value;
    }
    if ('const' in node) Object.assign(out, { type: typeof node.const, enum: [node.const] });
    if (node.if !== undefined) return { ...withoutType(out), oneOf: branches(node, convert) };
    if (Array.isArray(node.type)) return { ...withoutType(out), oneOf: node.type.map((type) => ({ type })) };
    return out;
  };
  const components: Record<string, SchemaObject> = { [name]: convert(schema) as SchemaObject };
  for (const [definition, value] of Object.entries(definitions)) components[componentOf(definition)] = convert(value) as SchemaObject;
  return components;
}

/** `if: { type: T }, then: A, else: B` reads "a T that is A, or else B"; B may be such a chain again. */
function branches(node: JsonSchema, convert: (node: JsonSchema) => JsonSchema): JsonSchema[] {
  const condition = node.if as JsonSchema;
  const then = convert({ ...((node.then ?? {}) as JsonSchema), type: condition.type });
  const otherwise = (node.else ?? {}) as JsonSchema;
  return [then, ...(otherwise.if !== undefined ? branches(otherwise, convert) : [convert(otherwise)])];
}

function withoutType(schema: JsonSchema): JsonSchema {
  const { type: _type, ...rest } = schema;
  return rest;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
