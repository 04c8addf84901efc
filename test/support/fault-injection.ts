/** A batch read that takes the transaction's manager and the batch's items. */
type BatchRead = (manager: never, items: never[]) => Promise<unknown>;

/**
 * Makes the first call of `target[method]` that serves more than one item throw, as a connection
 * lost after a flush's writes were sent would; every other call goes through. For tests of a
 * flush that must roll back and retry each of its items on its own. Call `restore` when done.
 */
export function failFirstFlushOfSeveral<K extends string>(target: { [key in K]: BatchRead }, method: K): { failures: () => number; restore: () => void } {
  const original = target[method].bind(target) as BatchRead;
  let failures = 0;
  const spy = jest.spyOn(target as Record<string, BatchRead>, method as string).mockImplementation(async (manager, items) => {
    if (items.length > 1 && failures === 0) {
      failures++;
      throw new Error('connection lost');
    }
    return original(manager, items);
  });
  return { failures: () => failures, restore: () => spy.mockRestore() };
}
