import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ApiKeysService } from '@app/auth';
import { ForbiddenError, Role, UnauthorizedError } from '@app/common';
import type { AuthenticatedRequest } from './current-auth.decorator';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';

/**
 * Global guard: resolves the bearer key to its organization and role, then checks the route's
 * roles. Fails closed: a route that declares no roles is refused to everyone but admins.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S{1,512})$/i.exec(header.trim()) : null;
    if (!match) throw new UnauthorizedError();
    const auth = await this.apiKeys.authenticate(match[1]);
    if (!auth) throw new UnauthorizedError('The API key is not valid or has been revoked.');
    request.auth = auth;
    const allowed = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [];
    if (auth.role !== 'admin' && !allowed.includes(auth.role)) {
      throw new ForbiddenError(`The ${auth.role} role may not do this.`, { role: auth.role, allowed: [...new Set(['admin', ...allowed])] });
    }
    return true;
  }
}
