import type { AuthContext } from '@app/common';
import { ApiKeyCache } from './api-key-cache';

describe('ApiKeyCache', () => {
  const pipeline: AuthContext = { organizationId: 'org-1', keyId: 'key-1', role: 'pipeline' };
  const reviewer: AuthContext = { organizationId: 'org-1', keyId: 'key-2', role: 'reviewer' };
  let clock: number;
  let cache: ApiKeyCache;

  beforeEach(() => {
    clock = 1_000;
    cache = new ApiKeyCache(5_000, () => clock);
  });

  it('answers a stored key until its time is up, then forgets it', () => {
    cache.set('hash-1', pipeline, cache.snapshot());
    clock += 4_999;
    expect(cache.get('hash-1')).toEqual(pipeline);
    clock += 1;
    expect(cache.get('hash-1')).toBeUndefined();
  });

  it('forgets a revoked key at once, and only that key', () => {
    cache.set('hash-1', pipeline, cache.snapshot());
    cache.set('hash-2', reviewer, cache.snapshot());
    cache.invalidate('key-1');
    expect(cache.get('hash-1')).toBeUndefined();
    expect(cache.get('hash-2')).toEqual(reviewer);
    cache.invalidate();
    expect(cache.get('hash-2')).toBeUndefined();
  });

  it('does not store the answer of a look-up that a revocation overtook', () => {
    const before = cache.snapshot();
    cache.invalidate('key-1'); // committed while the look-up was reading the row as still valid
    cache.set('hash-1', pipeline, before);
    expect(cache.get('hash-1')).toBeUndefined();
    cache.set('hash-1', pipeline, cache.snapshot());
    expect(cache.get('hash-1')).toEqual(pipeline);
  });

  it('hands out a copy nobody can change', () => {
    cache.set('hash-1', { ...pipeline }, cache.snapshot());
    const auth = cache.get('hash-1')!;
    expect(() => Object.assign(auth, { role: 'admin' })).toThrow(TypeError);
  });
});
