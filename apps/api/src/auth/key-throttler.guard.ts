import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { AuthenticatedRequest } from './current-auth.decorator';

/**
 * Rate limits per API key (the key guard runs first and resolves it), so one noisy pipeline cannot
 * starve the others behind the same address; calls without a valid key count per client address.
 */
@Injectable()
export class KeyThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: AuthenticatedRequest & { ip?: string }): Promise<string> {
    return request.auth ? `key:${request.auth.keyId}` : `ip:${request.ip ?? 'unknown'}`;
  }
}
