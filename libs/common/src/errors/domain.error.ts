/**
 * Typed domain errors. Services throw these; the API maps them to HTTP once
 * (apps/api/src/filters/domain-error.filter.ts) and the worker records them on step executions.
 */
export type DomainErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'unprocessable';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super('bad_request', code, message, details);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'A valid API key is required: send "Authorization: Bearer <key>".') {
    super('unauthorized', 'UNAUTHORIZED', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('forbidden', 'FORBIDDEN', message, details);
  }
}

export class NotFoundError extends DomainError {
  constructor(resource: string, id: string | number) {
    super('not_found', `${resource.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_NOT_FOUND`, `${resource} ${id} was not found.`, {
      resource,
      id,
    });
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super('conflict', code, message, details);
  }
}

export class PreconditionFailedError extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super('precondition_failed', code, message, details);
  }
}

export class UnprocessableError extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super('unprocessable', code, message, details);
  }
}
