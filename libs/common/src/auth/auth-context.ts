export const ROLES = ['admin', 'author', 'pipeline', 'reviewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved from the API key on every request. Every query is scoped by organizationId. */
export interface AuthContext {
  organizationId: string;
  keyId: string;
  role: Role;
}

/** Who made a change, as recorded in the audit trail. */
export interface Actor {
  /** `key:<id>` for API callers, `run:<id>/step:<stepId>` for workflow steps. */
  id: string;
  source: 'reviewer' | 'pipeline' | 'workflow' | 'system';
}

/**
 * The audit actor of an API call. The source names the kind of work the route does (a pipeline
 * route, a reviewer route), not the key's role: an admin deciding a case acts as a reviewer.
 */
export function actorFromAuth(auth: AuthContext, source: 'reviewer' | 'pipeline'): Actor {
  return { id: `key:${auth.keyId}`, source };
}
