import { ArgumentsHost, BadRequestException, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { ConflictError, UnprocessableError } from '@app/common';
import { ErrorFilter } from './error.filter';

/** What the filter logged while answering the last exception. */
let logged: string[] = [];

/** What the one error filter answers for each kind of failure: status and envelope, never a stack. */
function answer(exception: unknown): { status: number; body: { error: { code: string; message: string; details?: unknown } } } {
  const sent: { status?: number; body?: unknown } = {};
  logged = [];
  const response = {
    headersSent: false,
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
      return this;
    },
  };
  const request = { id: 7, method: 'POST', url: '/v1/cases' };
  const host = { switchToHttp: () => ({ getResponse: () => response, getRequest: () => request }) } as unknown as ArgumentsHost;
  const filter = new ErrorFilter();
  (filter as unknown as { logger: { error: (message: string) => void } }).logger = { error: (message) => logged.push(message) };
  filter.catch(exception, host);
  return sent as never;
}

const pgError = (code: string, message = 'pg says no') => new QueryFailedError('SELECT 1', [], Object.assign(new Error(message), { code }));

describe('ErrorFilter', () => {
  it('maps domain errors by kind, with their code and details', () => {
    expect(answer(new ConflictError('ACTION_NOT_AVAILABLE', 'not now', { status: 'open' }))).toEqual({
      status: 409,
      body: { error: { code: 'ACTION_NOT_AVAILABLE', message: 'not now', details: { status: 'open' } } },
    });
    expect(answer(new UnprocessableError('INVALID_DEFINITION', 'bad')).status).toBe(422);
  });

  it('maps Nest and body-parser errors', () => {
    expect(answer(new NotFoundException('Cannot GET /v1/nope'))).toEqual({ status: 404, body: { error: { code: 'ROUTE_NOT_FOUND', message: 'Cannot GET /v1/nope' } } });
    expect(answer(new BadRequestException('Validation failed (numeric string is expected)')).body.error.code).toBe('BAD_REQUEST');
    expect(answer(Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413, limit: 1048576 }))).toEqual({
      status: 413,
      body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than the 1048576 bytes allowed.', details: { limit: 1048576 } } },
    });
  });

  it('turns database refusals of a value into 400 and races into 409', () => {
    expect(answer(pgError('22P02')).status).toBe(400);
    expect(answer(pgError('22021')).body.error.code).toBe('INVALID_VALUE');
    expect(answer(pgError('23505')).status).toBe(409);
    expect(answer(pgError('40P01')).body.error.code).toBe('CONCURRENT_UPDATE');
  });

  it('answers 503 while a backing service is away, and 500 with no detail for the unexpected', () => {
    expect(answer(pgError('57P01', 'terminating connection due to administrator command'))).toEqual({
      status: 503,
      body: { error: { code: 'SERVICE_UNAVAILABLE', message: 'A backing service is unavailable; retry shortly.' } },
    });
    expect(answer(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })).status).toBe(503);
    const unexpected = answer(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(unexpected).toEqual({ status: 500, body: { error: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred; it has been logged.' } } });
    // The log, not the answer, has the stack, with the request it failed (the request log's id).
    expect(logged).toEqual([expect.stringMatching(/^POST \/v1\/cases \(request 7\) failed: TypeError: Cannot read properties of undefined \(reading 'x'\)\n\s+at /)]);
  });
});
