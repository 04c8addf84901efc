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

export function actorFromAuth(auth: AuthContext): Actor {
  return { id: `key:${auth.keyId}`, source: auth.role === 'pipeline' ? 'pipeline' : auth.role === 'reviewer' ? 'reviewer' : 'system' };
}
