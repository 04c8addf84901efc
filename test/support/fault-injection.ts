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
