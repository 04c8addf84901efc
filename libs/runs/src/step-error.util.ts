import { DomainError } from '@app/common';
import type { StepError } from '@app/workflow-core';

const MAX_MESSAGE = 2000;

/** What a failed attempt records: a stable code and a message, never a stack trace. */
export function toStepError(error: unknown): StepError {
  if (error instanceof DomainError) return { code: error.code, message: error.message.slice(0, MAX_MESSAGE) };
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return { code: typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : 'ACTION_FAILED', message: error.message.slice(0, MAX_MESSAGE) };
  }
  return { code: 'ACTION_FAILED', message: String(error).slice(0, MAX_MESSAGE) };
}

/** A domain refusal (unknown case, terminal case, invalid params) is the same on every attempt. */
export function isPermanentError(error: unknown): boolean {
  return error instanceof DomainError;
}

// PostgreSQL classes that mean "the database, not the step": connection (08), resources (53),
// operator intervention such as a restart (57), serialization and deadlock (40).
const TRANSIENT_SQLSTATE = /^(08|40|53|57)[0-9A-Z]{3}$/;
// TypeORM's own errors when the connection under a query runner went away mid-transaction.
const TRANSIENT_ORM_ERRORS = new Set(['QueryRunnerAlreadyReleasedError', 'ConnectionIsNotSetError']);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * An error of the platform rather than of the step: it must not use up a step attempt nor fail a
 * run. The queue gets it and delivers the job again later.
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

/** Thrown to BullMQ to have it retry the attempt after the step's backoff. */
export class RetryableStepError extends Error {
  constructor(readonly stepError: StepError) {
    super(`${stepError.code}: ${stepError.message}`);
    this.name = 'RetryableStepError';
  }
}
