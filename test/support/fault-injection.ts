/** A batch read that takes the transaction's manager and the batch's items. */
type BatchRead = (manager: never, items: never[]) => Promise<unknown>;

/**
 * Makes the first call of `target[method]` that serves more than one item throw before it sends
 * anything, as a failure just before a flush's last message would (its writes, deferred to that
 * message, never reach PostgreSQL); every other call goes through. For tests of a flush that must
 * roll back and retry each of its items on its own. With `afterItRan`, the call runs first and then
 * throws, as a failure after a read that carried the COMMIT would. Call `restore` when done.
 */
export function failFirstFlushOfSeveral<K extends string>(
  target: { [key in K]: BatchRead },
  method: K,
  options: { afterItRan?: boolean } = {},
): { failures: () => number; restore: () => void } {
  const original = target[method].bind(target) as (...args: unknown[]) => Promise<unknown>;
  let failures = 0;
  const spy = jest.spyOn(target as Record<string, BatchRead>, method as string).mockImplementation(async (...args: unknown[]) => {
    const [, items] = args as [unknown, unknown[]];
    if (items.length > 1 && failures === 0) {
      failures++;
      if (options.afterItRan) await original(...args);
      throw new Error('connection lost');
    }
    return original(...args);
  });
  return { failures: () => failures, restore: () => spy.mockRestore() };
}

/**
 * Sends concurrent requests while `fault` is armed, checks it struck exactly once, disarms it, and
 * checks the answers of a flush that failed after its COMMIT: the failed flush's requests (more
 * than one) answered 500, every other one 200. Returns the statuses.
 */
export async function answersOfFlushFailedAfterCommit(fault: { failures: () => number; restore: () => void }, send: () => Promise<Array<{ status: number }>>): Promise<number[]> {
  let statuses: number[];
  try {
    statuses = (await send()).map((response) => response.status);
    expect(fault.failures()).toBe(1);
  } finally {
    fault.restore();
  }
  const failed = statuses.filter((status) => status === 500).length;
  expect(failed).toBeGreaterThan(1);
  expect(statuses.filter((status) => status === 200)).toHaveLength(statuses.length - failed);
  return statuses;
}
