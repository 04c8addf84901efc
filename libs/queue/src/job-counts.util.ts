import type { JobType, Queue } from 'bullmq';

/**
 * The queue's job counts, or a rejection once `timeoutMs` has passed. The queue's connection
 * waits for Redis to come back rather than failing a command (`maxRetriesPerRequest: null`, as
 * BullMQ wants), so a probe or a scrape that asked it plainly would hang for the whole outage.
 */
export async function jobCountsWithin(queue: Queue, timeoutMs: number, ...states: JobType[]): Promise<Record<string, number>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([queue.getJobCounts(...states), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
