import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { DomainError, DomainErrorKind, isInfrastructureError } from '@app/common';

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  bad_request: HttpStatus.BAD_REQUEST,
  unauthorized: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  precondition_failed: HttpStatus.PRECONDITION_FAILED,
  payload_too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
};

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  503: 'SERVICE_UNAVAILABLE',
  429: 'TOO_MANY_REQUESTS',
};

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** The one place errors become HTTP: `{ error: { code, message, details } }`, never a stack trace. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const [status, body] = this.describe(exception);
    if (status >= 500) {
      // The request log's line for this request has the same id.
      const request = host.switchToHttp().getRequest<Request & { id?: unknown }>();
      const trace = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
      this.logger.error(`${request.method} ${request.url} (request ${String(request.id)}) failed: ${trace}`);
    }
    if (!response.headersSent) response.status(status).json(body);
  }

  private describe(exception: unknown): [number, ErrorBody] {
    if (exception instanceof DomainError) {
      return [STATUS_BY_KIND[exception.kind], envelope(exception.code, exception.message, exception.details)];
    }
    const bodyParserError = exception as { type?: string; status?: number; limit?: number; message?: string };
    if (bodyParserError?.type === 'entity.too.large') {
      return [413, envelope('PAYLOAD_TOO_LARGE', `The request body is larger than the ${bodyParserError.limit} bytes allowed.`, { limit: bodyParserError.limit })];
    }
    if (typeof bodyParserError?.type === 'string' && typeof bodyParserError.status === 'number' && bodyParserError.status < 500) {
      return [bodyParserError.status, envelope(CODE_BY_STATUS[bodyParserError.status] ?? 'BAD_REQUEST', bodyParserError.message ?? 'Bad request')];
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const raw = exception.getResponse();
      const message = typeof raw === 'string' ? raw : String((raw as { message?: unknown }).message ?? exception.message);
      // Keep what a library put beside its message (the readiness check says which service is down).
      const { message: _message, statusCode: _status, error: errorName, ...rest } = typeof raw === 'object' && raw ? (raw as Record<string, unknown>) : {};
      const details = typeof errorName === 'object' ? { ...rest, error: errorName } : rest;
      return [status, envelope(status === 404 ? 'ROUTE_NOT_FOUND' : (CODE_BY_STATUS[status] ?? 'ERROR'), message, Object.keys(details).length ? details : undefined)];
    }
    if (exception instanceof QueryFailedError) {
      const code = (exception as QueryFailedError & { code?: string }).code;
      // Class 22 is "data exception": a value PostgreSQL cannot take (format, range, encoding).
      if (code?.startsWith('22')) return [400, envelope('INVALID_VALUE', 'A value has the wrong format or is out of range.')];
      if (code === '23505') return [409, envelope('CONFLICT', 'That resource already exists.')];
      // Any other integrity constraint (not null, foreign key, check): the input cannot be stored.
      if (code?.startsWith('23')) return [422, envelope('CONSTRAINT_VIOLATION', 'The request breaks a rule of the stored data.')];
      if (code === '40001' || code === '40P01') return [409, envelope('CONCURRENT_UPDATE', 'A concurrent change won; retry the request.')];
    }
    // The database or Redis is away (restarting, unreachable): the request may succeed if retried.
    if (isInfrastructureError(exception)) return [503, envelope('SERVICE_UNAVAILABLE', 'A backing service is unavailable; retry shortly.')];
    return [500, envelope('INTERNAL_ERROR', 'An unexpected error occurred; it has been logged.')];
  }
}

function envelope(code: string, message: string, details?: Record<string, unknown>): ErrorBody {
  return { error: details ? { code, message, details } : { code, message } };
}
