import { UnprocessableError } from '@app/common';
import { isPermanentError, toStepError } from './step-error.util';

const withCode = (message: string, code: string, name = 'Error') => Object.assign(new Error(message), { code, name });

describe('step errors', () => {
  it('treats domain refusals as permanent and records codes, never stacks', () => {
    expect(isPermanentError(new UnprocessableError('UNKNOWN_STATUS', 'no such status'))).toBe(true);
    expect(isPermanentError(new Error('timeout'))).toBe(false);
    expect(toStepError(new UnprocessableError('UNKNOWN_STATUS', 'no such status'))).toEqual({ code: 'UNKNOWN_STATUS', message: 'no such status' });
    expect(toStepError(withCode('HTTP 503', 'PROVIDER_DOWN'))).toEqual({ code: 'PROVIDER_DOWN', message: 'HTTP 503' });
    expect(toStepError(withCode('odd', 'econnreset'))).toEqual({ code: 'ACTION_FAILED', message: 'odd' });
    expect(toStepError('plain text')).toEqual({ code: 'ACTION_FAILED', message: 'plain text' });
  });
});
