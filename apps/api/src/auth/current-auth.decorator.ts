import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuthContext } from '@app/common';

export interface AuthenticatedRequest {
  auth?: AuthContext;
}

/** The caller's organization, key and role, as resolved by ApiKeyGuard. */
export const CurrentAuth = createParamDecorator((_data: unknown, context: ExecutionContext): AuthContext => {
  const auth = context.switchToHttp().getRequest<AuthenticatedRequest>().auth;
  if (!auth) throw new Error('CurrentAuth used on a route that ApiKeyGuard did not authenticate');
  return auth;
});
