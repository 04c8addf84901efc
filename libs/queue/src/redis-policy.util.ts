import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { redisOptionsFromUrl } from './redis-options.util';

/**
 * BullMQ keeps jobs as ordinary keys: a Redis that evicts keys under memory pressure silently
 * drops queued steps. Says so at start-up when the policy is anything but noeviction.
 */
export async function warnUnlessNoEviction(url: string, logger = new Logger('Queue')): Promise<string | undefined> {
  const redis = new Redis({ ...redisOptionsFromUrl(url), lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy !== 'noeviction') {
      logger.warn(`Redis maxmemory-policy is "${policy}": queued steps can be evicted. Run Redis with --maxmemory-policy noeviction.`);
    }
    return policy;
  } catch (error) {
    // Managed Redis services often refuse CONFIG; that is no reason to stop.
    logger.log(`Could not read Redis maxmemory-policy (${(error as Error).message}); it must be noeviction.`);
    return undefined;
  } finally {
    redis.disconnect();
  }
}
