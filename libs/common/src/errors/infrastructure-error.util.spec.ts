import { QueryFailedError } from 'typeorm';
import { ConflictError } from './domain.error';
import { isInfrastructureError } from './infrastructure-error.util';

const withCode = (message: string, code: string, name = 'Error') => Object.assign(new Error(message), { code, name });

describe('isInfrastructureError', () => {
  it('takes database outages and lost connections for infrastructure, whatever wraps them', () => {
    const restarting = withCode('the database system is shutting down', '57P01', 'error');
    expect(isInfrastructureError(restarting)).toBe(true);
    expect(isInfrastructureError(new QueryFailedError('SELECT 1', [], restarting))).toBe(true);
    expect(isInfrastructureError(withCode('the database system is starting up', '57P03', 'error'))).toBe(true);
    expect(isInfrastructureError(withCode('deadlock detected', '40P01'))).toBe(true);
    expect(isInfrastructureError(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isInfrastructureError(Object.assign(new Error('Query runner already released. Cannot run queries anymore.'), { name: 'QueryRunnerAlreadyReleasedError' }))).toBe(true);
    expect(isInfrastructureError(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('keeps the step\'s own errors and bad data out of it', () => {
    expect(isInfrastructureError(new Error('provider unavailable'))).toBe(false);
    expect(isInfrastructureError(withCode('invalid input syntax for type uuid', '22P02'))).toBe(false);
    expect(isInfrastructureError(new QueryFailedError('INSERT', [], withCode('duplicate key', '23505')))).toBe(false);
    expect(isInfrastructureError(new ConflictError('CASE_TERMINAL', 'terminal'))).toBe(false);
  });

});
