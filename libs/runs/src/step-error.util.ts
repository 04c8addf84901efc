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

/** Thrown to BullMQ to have it retry the attempt after the step's backoff. */
export class RetryableStepError extends Error {
  constructor(readonly stepError: StepError) {
    super(`${stepError.code}: ${stepError.message}`);
    this.name = 'RetryableStepError';
  }
}
