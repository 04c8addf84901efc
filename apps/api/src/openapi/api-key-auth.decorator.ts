import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { errorResponse } from './api-errors.decorator';

const RETRY_AFTER_HEADER = 'Retry-After';

/** 429 from KeyThrottlerGuard: counted per key, or per client address for calls without a valid key. */
export function ApiRateLimit(): MethodDecorator & ClassDecorator {
  return errorResponse(429, ['TOO_MANY_REQUESTS (over CASEFLOW_RATE_LIMIT requests a minute)'], {
    headers: { [RETRY_AFTER_HEADER]: { description: 'Seconds until the budget is renewed', schema: { type: 'integer' } } },
  });
}

/**
 * What ApiKeyGuard and the rate limiter add to every route that is not @Public: the bearer key,
 * 401 for no or a bad key, 403 for a role the route's @Roles does not name, and 429.
 */
export function ApiKeyAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiBearerAuth(),
    errorResponse(401, ['UNAUTHORIZED (no `Authorization: Bearer <key>`, or a key that is unknown or revoked)']),
    errorResponse(403, ["FORBIDDEN (the key's role may not do this; `details.allowed` lists the roles that may)"]),
    ApiRateLimit(),
  );
}
