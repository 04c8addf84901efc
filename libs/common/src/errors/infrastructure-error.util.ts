import { DomainError } from './domain.error';

// PostgreSQL classes that mean "the database, not the step": connection (08), resources (53),
// operator intervention such as a restart (57), serialization and deadlock (40).
const TRANSIENT_SQLSTATE = /^(08|40|53|57)[0-9A-Z]{3}$/;
// TypeORM's own errors when the connection under a query runner went away mid-transaction.
const TRANSIENT_ORM_ERRORS = new Set(['QueryRunnerAlreadyReleasedError', 'ConnectionIsNotSetError']);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * An error of the platform (database or network down, a connection cut) rather than of the work
 * itself: a step must not use up an attempt on it, and an API call answers 503, not 500.
 */
export function isInfrastructureError(error: unknown): boolean {
  if (error instanceof DomainError) return false;
  const candidate = error as { code?: unknown; infrastructure?: unknown; message?: unknown; name?: unknown };
  if (candidate?.infrastructure === true) return true;
  // Read from any error: pg's own DatabaseError carries the SQLSTATE when TypeORM did not wrap it.
  if (typeof candidate?.code === 'string' && TRANSIENT_SQLSTATE.test(candidate.code)) return true;
  if (typeof candidate?.name === 'string' && TRANSIENT_ORM_ERRORS.has(candidate.name)) return true;
  if (typeof candidate?.code === 'string' && TRANSIENT_NODE_CODES.has(candidate.code)) return true;
  return typeof candidate?.message === 'string' && /Connection terminated|connection (is )?closed|timeout exceeded when trying to connect|the database system is (shutting down|starting up)/i.test(candidate.message);
}
