import type { INestApplication } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import type { Role } from '@app/common';
import { PUBLIC_KEY, ROLES_KEY } from '../../apps/api/src/auth/roles.decorator';

/** Mirrors configure-app.ts; the Express cross-check below fails if the two drift apart. */
export const GLOBAL_PREFIX = 'v1';
const PREFIX_EXCLUDED = ['metrics'];

/** What ApiKeyGuard will do on a route: let anyone in, check roles, or (no decorator) refuse all but admins. */
export type RouteDecision = { kind: 'public' } | { kind: 'roles'; roles: Role[] } | { kind: 'undecided' };

export interface DiscoveredRoute {
  /** `GET /v1/cases/:id`, the way the matrix names it. */
  route: string;
  method: string;
  path: string;
  handler: string;
  decision: RouteDecision;
  /** False where @SkipThrottle() exempts the route from the per-key rate limit. */
  rateLimited: boolean;
}

/**
 * The metadata @SkipThrottle() leaves for the app's throttler, named `default` in api.module.ts
 * (@nestjs/throttler does not export the prefix). A skip of any other name does not skip it.
 */
const THROTTLER_SKIP = 'THROTTLER:SKIPdefault';

const asList = (value: unknown): string[] => (Array.isArray(value) ? value : [value ?? '/']).map(String);
const joinPath = (...parts: string[]) => `/${parts.join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');

/**
 * Every handler of every controller the running app has mounted, with its path as served (global
 * prefix included) and the authorization decision read the way ApiKeyGuard reads it: handler
 * metadata overrides class metadata (Reflector.getAllAndOverride on [handler, class]).
 */
export function discoverRoutes(app: INestApplication): DiscoveredRoute[] {
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const reflector = new Reflector();
  const routes: DiscoveredRoute[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
    if (!controller || !wrapper.instance) continue;
    const prototype = Object.getPrototypeOf(wrapper.instance) as Record<string, (...args: unknown[]) => unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name];
      const verb = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (verb === undefined) continue; // a helper method, not a route
      const method = RequestMethod[verb];
      for (const base of asList(Reflect.getMetadata(PATH_METADATA, controller))) {
        for (const sub of asList(Reflect.getMetadata(PATH_METADATA, handler))) {
          const unprefixed = joinPath(base, sub);
          const excluded = PREFIX_EXCLUDED.some((path) => joinPath(path) === unprefixed);
          const path = excluded ? unprefixed : joinPath(GLOBAL_PREFIX, unprefixed);
          const rateLimited = reflector.getAllAndOverride<boolean>(THROTTLER_SKIP, [handler, controller] as Array<() => void>) !== true;
          routes.push({ route: `${method} ${path}`, method, path, handler: `${controller.name}.${name}`, decision: decisionOf(reflector, handler, controller), rateLimited });
        }
      }
    }
  }
  return routes.sort((a, b) => a.route.localeCompare(b.route));
}

function decisionOf(reflector: Reflector, handler: object, controller: object): RouteDecision {
  const targets = [handler, controller] as Array<() => void>;
  if (reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return { kind: 'public' };
  const roles = reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
  return roles === undefined ? { kind: 'undecided' } : { kind: 'roles', roles: [...roles] };
}

/**
 * The routes Express itself dispatches, as `METHOD /path`: a check that discovery saw what is
 * really served, and that nothing was mounted beside Nest's controllers (and so beside the guard).
 * Nest mounts middleware as one route answering every method; those are not endpoints.
 */
export function expressRoutes(app: INestApplication): string[] {
  const instance = app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } };
  const routes: string[] = [];
  for (const layer of instance.router.stack) {
    if (!layer.route) continue;
    const methods = Object.keys(layer.route.methods).filter((method) => method !== '_all');
    if (methods.length !== 1 || layer.route.methods._all) continue;
    routes.push(`${methods[0].toUpperCase()} ${layer.route.path}`);
  }
  return [...new Set(routes)].sort();
}
