import type { ApiPropertyOptions } from '@nestjs/swagger';

/**
 * A property that may hold any JSON value (step outputs, block data, run context). The swagger
 * decorators would otherwise read TypeScript's `unknown` as `type: object`, which is untrue for
 * arrays, strings and numbers; OpenAPI 3.0 has no "any" type, so the choices (null included) are spelled out.
 */
export function anyJson(description: string, options: Partial<ApiPropertyOptions> = {}): ApiPropertyOptions {
  return {
    description,
    // `nullable` sits in a branch: beside oneOf, swagger would keep the reflected `type: object`.
    oneOf: [{ type: 'object', additionalProperties: true, nullable: true }, { type: 'array', items: {} }, { type: 'string' }, { type: 'number' }, { type: 'boolean' }],
    ...options,
  } as ApiPropertyOptions;
}

/** A JSON object with open-ended keys (a case's `data`, a run's `context`). */
export function jsonObject(description: string, options: Partial<ApiPropertyOptions> = {}): ApiPropertyOptions {
  return { type: 'object', additionalProperties: true, description, ...options } as ApiPropertyOptions;
}
