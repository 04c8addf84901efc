import { applyDecorators } from '@nestjs/common';
import { ApiResponse, ApiResponseOptions } from '@nestjs/swagger';
import { ErrorResponse } from './error.response';

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 422 | 429 | 503;

const TITLES: Record<ErrorStatus, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  422: 'Unprocessable',
  429: 'Too many requests',
  503: 'Service unavailable',
};

/**
 * The 400 codes of any JSON body, before the route's own checks: json-body.middleware.ts and the
 * DTO validation pipe. The 413 of a body over CASEFLOW_BODY_LIMIT comes with them.
 */
export const INVALID_BODY = ['VALIDATION_FAILED', 'MALFORMED_JSON', 'NESTING_TOO_DEEP', 'INVALID_CHARACTER'] as const;

export type ErrorCodes = Partial<Record<ErrorStatus, readonly string[]>> & {
  /** The route reads a JSON body: adds INVALID_BODY to 400 and 413 PAYLOAD_TOO_LARGE. */
  body?: true;
};

/** One documented error answer: the envelope, and the main `error.code` values in the description. */
export function errorResponse(status: ErrorStatus, codes: readonly string[], options: Omit<ApiResponseOptions, 'status' | 'type'> = {}) {
  return ApiResponse({ status, type: ErrorResponse, description: `${TITLES[status]}: ${codes.join(' | ')}`, ...options } as ApiResponseOptions);
}

/**
 * The error answers a route can really give besides those of the key guard and rate limiter
 * (ApiKeyAuth), with the codes its services throw, e.g.
 * `@ApiErrors({ body: true, 404: ['CASE_NOT_FOUND'], 409: ['ACTION_NOT_AVAILABLE', 'VERSION_CONFLICT'] })`.
 */
export function ApiErrors(codes: ErrorCodes): MethodDecorator & ClassDecorator {
  const { body, ...byStatus } = codes;
  const all: Partial<Record<ErrorStatus, readonly string[]>> = { ...byStatus };
  if (body) {
    all[400] = [...INVALID_BODY, ...(byStatus[400] ?? [])];
    all[413] = byStatus[413] ?? ['PAYLOAD_TOO_LARGE'];
  }
  const entries = Object.entries(all) as Array<[string, readonly string[]]>;
  return applyDecorators(...entries.map(([status, list]) => errorResponse(Number(status) as ErrorStatus, list)));
}
