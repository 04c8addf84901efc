import { fulfilled, rejected, Settled } from './settled.util';
import { batchDuration, batchSize } from '../metrics/metrics';
import { GroupCommit, GroupCommitOptions, inRounds } from './group-commit';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every promise callback that is ready run (setImmediate is left real for this). */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A flush that answers only when the test says so, and remembers what each flush took and how
 * many ran at once: the test decides when the "database" answers.
 */
function heldFlush() {
  const flushes: Array<{ items: number[]; answer: Deferred<Array<Settled<number>>> }> = [];
  let running = 0;
  let mostAtOnce = 0;
  const flush = (items: number[]) => {
    running++;
    mostAtOnce = Math.max(mostAtOnce, running);
    const answer = deferred<Array<Settled<number>>>();
    flushes.push({ items: [...items], answer });
    return answer.promise.finally(() => running--);
  };
  /** Answers flush `i` with each item times ten. */
  const answer = (i: number) => flushes[i].answer.resolve(flushes[i].items.map((item) => fulfilled(item * 10)));
  return { flush, flushes, answer, running: () => running, mostAtOnce: () => mostAtOnce };
}

const options = (overrides: Partial<GroupCommitOptions>): GroupCommitOptions => ({ name: 'test', maxBatch: 100, maxFlushes: 1, maxWaitMs: 50, expected: () => 1, ...overrides });

/** Observes a promise without awaiting it: its state after the next tick. */
function watch<T>(promise: Promise<T>) {
  const seen: { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = { state: 'pending' };
  promise.then(
    (value) => Object.assign(seen, { state: 'resolved', value }),
    (error: unknown) => Object.assign(seen, { state: 'rejected', error }),
  );
  return seen;
}

describe('GroupCommit', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('gathers concurrent submits into one flush and gives each caller its own answer', async () => {
    const held = heldFlush();
    const commit = new GroupCommit(options({ expected: () => 3 }), held.flush);

    const answers = Promise.all([commit.submit(1), commit.submit(2), commit.submit(3)]);
    expect(held.flushes.map((f) => f.items)).toEqual([[1, 2, 3]]);
    expect(commit.pending).toBe(3);

    held.answer(0);
    await expect(answers).resolves.toEqual([10, 20, 30]);
    expect(held.flushes).toHaveLength(1);
    expect(commit.pending).toBe(0);
  });

  it('flushes at once when everyone expected has submitted, without waiting for the timer', async () => {
    const held = heldFlush();
    const commit = new GroupCommit(options({ maxWaitMs: 10_000, expected: () => 2 }), held.flush);

    const first = watch(commit.submit(1));
    expect(held.flushes).toHaveLength(0);
    const second = watch(commit.submit(2));
    // No time has passed: the second submit completed the group.
    expect(held.flushes.map((f) => f.items)).toEqual([[1, 2]]);

    held.answer(0);
    await tick();
    expect([first.value, second.value]).toEqual([10, 20]);
    // The timer the first item started is gone: no empty or duplicate flush follows.
    jest.advanceTimersByTime(20_000);
    await tick();
    expect(held.flushes).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('flushes a lone item at once when it is the only one expected', async () => {
    const held = heldFlush();
    const commit = new GroupCommit(options({ maxWaitMs: 10_000, expected: () => 1 }), held.flush);
    const only = watch(commit.submit(7));
    expect(held.flushes.map((f) => f.items)).toEqual([[7]]);
    held.answer(0);
    await tick();
    expect(only).toEqual({ state: 'resolved', value: 70 });
  });

  it('when quiet (no flush running, the last one a single item), does not wait for company beyond this turn', async () => {
    const held = heldFlush();
    const commit = new GroupCommit(options({ maxWaitMs: 50, expected: () => 5 }), held.flush);
    // Nothing known yet: the first item waits for company, finds none, and goes alone.
    const first = watch(commit.submit(1));
    expect(held.flushes).toHaveLength(0);
    jest.advanceTimersByTime(50);
    expect(held.flushes.map((f) => f.items)).toEqual([[1]]);
    held.answer(0);
    await tick();
    expect(first.state).toBe('resolved');
    // Now the commit is quiet: the next lone item goes as soon as this turn of the event loop ends,
    // with what came in the same turn.
    const second = watch(commit.submit(2));
    const third = watch(commit.submit(3));
    expect(held.flushes).toHaveLength(1);
    await tick();
    expect(held.flushes.map((f) => f.items)).toEqual([[1], [2, 3]]);
    // While that flush runs, an item waits for company again.
    void commit.submit(4);
    await tick();
    expect(held.flushes).toHaveLength(2);
    held.answer(1);
    await tick();
    expect([second.state, third.state]).toEqual(['resolved', 'resolved']);
  });

  it('otherwise waits maxWaitMs for company, then flushes whatever has come', async () => {
    const held = heldFlush();
    const commit = new GroupCommit(options({ maxWaitMs: 50, expected: () => 5 }), held.flush);

    const a = watch(commit.submit(1));
    jest.advanceTimersByTime(30);
    const b = watch(commit.submit(2));
    jest.advanceTimersByTime(19);
    await tick();
    expect(held.flushes).toHaveLength(0);
    expect(a.state).toBe('pending');

    // The wait counts from the first item, not the latest one.
    jest.advanceTimersByTime(1);
    expect(held.flushes.map((f) => f.items)).toEqual([[1, 2]]);
    held.answer(0);
    await tick();
    expect([a.value, b.value]).toEqual([10, 20]);
  });

  it('never puts more than maxBatch items in one flush', async () => {
    const held = heldFlush();
    const commit = new GroupCommit(options({ maxBatch: 3, maxFlushes: 10, expected: () => 100 }), held.flush);

    const answers = Array.from({ length: 8 }, (_, i) => commit.submit(i));
    // A full batch goes without waiting; the two left over wait for the timer.
    expect(held.flushes.map((f) => f.items)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    jest.advanceTimersByTime(50);
    expect(held.flushes.map((f) => f.items)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7],
    ]);
    held.flushes.forEach((_, i) => held.answer(i));
    await expect(Promise.all(answers)).resolves.toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
  });

  it('never runs more than maxFlushes flushes at once; the rest wait their turn', async () => {
    const held = heldFlush();
    const commit = new GroupCommit(options({ maxBatch: 2, maxFlushes: 2, expected: () => 100 }), held.flush);

    const answers = Array.from({ length: 9 }, (_, i) => watch(commit.submit(i)));
    expect(held.flushes.map((f) => f.items)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(held.running()).toBe(2);
    // The timer cannot start a third flush either.
    jest.advanceTimersByTime(1_000);
    await tick();
    expect(held.flushes).toHaveLength(2);
    expect(commit.pending).toBe(9);

    held.answer(1);
    await tick();
    expect(held.flushes.map((f) => f.items)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(answers.map((a) => a.state)).toEqual(['pending', 'pending', 'resolved', 'resolved', 'pending', 'pending', 'pending', 'pending', 'pending']);

    held.answer(0);
    await tick();
    held.answer(2);
    await tick();
    held.answer(3);
    await tick();
    // The last one is alone and not everyone expected is in, but it has waited out maxWaitMs
    // already (while both flushes were busy): it goes as soon as a flush is free, with no new wait.
    expect(held.flushes).toHaveLength(5);
    expect(answers[8].state).toBe('pending');
    held.answer(4);
    await tick();

    expect(held.flushes.map((f) => f.items)).toEqual([[0, 1], [2, 3], [4, 5], [6, 7], [8]]);
    expect(answers.map((a) => a.value)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80]);
    expect(held.mostAtOnce()).toBe(2);
    expect(commit.pending).toBe(0);
  });

  it('without `expected`, waits for nobody: a flush starts whenever one may, and what comes meanwhile goes in the next', async () => {
    const held = heldFlush();
    const commit = new GroupCommit({ name: 'test', maxBatch: 3, maxFlushes: 2 }, held.flush);

    const answers = [watch(commit.submit(1)), watch(commit.submit(2))];
    // Each took a free flush at once: no timer, no turn of the event loop.
    expect(held.flushes.map((f) => f.items)).toEqual([[1], [2]]);
    answers.push(...[3, 4, 5, 6].map((item) => watch(commit.submit(item))));
    jest.advanceTimersByTime(1_000);
    await tick();
    expect(held.flushes).toHaveLength(2);

    held.answer(0);
    await tick();
    expect(held.flushes.map((f) => f.items)).toEqual([[1], [2], [3, 4, 5]]);
    held.answer(1);
    await tick();
    expect(held.flushes.map((f) => f.items)).toEqual([[1], [2], [3, 4, 5], [6]]);
    held.answer(2);
    held.answer(3);
    await tick();
    expect(answers.map((a) => a.value)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(held.mostAtOnce()).toBe(2);
  });

  it('puts items submitted during a flush into the next one, never into the flush under way', async () => {
    const held = heldFlush();
    const commit = new GroupCommit(options({ maxFlushes: 1, expected: () => 2 }), held.flush);

    const first = [watch(commit.submit(1)), watch(commit.submit(2))];
    expect(held.flushes.map((f) => f.items)).toEqual([[1, 2]]);
    const later = [watch(commit.submit(3)), watch(commit.submit(4))];
    jest.advanceTimersByTime(1_000);
    await tick();
    expect(held.flushes).toHaveLength(1);
    expect(later.map((a) => a.state)).toEqual(['pending', 'pending']);

    held.answer(0);
    await tick();
    expect(held.flushes.map((f) => f.items)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(first.map((a) => a.value)).toEqual([10, 20]);
    expect(later.map((a) => a.state)).toEqual(['pending', 'pending']);
    held.answer(1);
    await tick();
    expect(later.map((a) => a.value)).toEqual([30, 40]);
  });

  it('with a second flush free, counts items in flight as arrived: a latecomer who completes the group goes at once', async () => {
    const held = heldFlush();
    const commit = new GroupCommit(options({ maxFlushes: 2, expected: () => 3 }), held.flush);

    commit.submit(1);
    commit.submit(2);
    expect(held.flushes).toHaveLength(0);
    commit.submit(3);
    expect(held.flushes.map((f) => f.items)).toEqual([[1, 2, 3]]);
    // Three in flight already: a fourth is everyone too (waiting + in flight >= expected).
    commit.submit(4);
    expect(held.flushes.map((f) => f.items)).toEqual([[1, 2, 3], [4]]);
    held.answer(0);
    held.answer(1);
    await tick();
  });

  it('settles each item per its own result: one refusal fails only its caller', async () => {
    const refusal = new Error('case 2 is terminal');
    const commit = new GroupCommit<number, string>(options({ expected: () => 3 }), async (items) =>
      items.map((item) => (item === 2 ? rejected(refusal) : fulfilled(`done ${item}`))),
    );

    const results = await Promise.allSettled([commit.submit(1), commit.submit(2), commit.submit(3)]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 'done 1' },
      { status: 'rejected', reason: refusal },
      { status: 'fulfilled', value: 'done 3' },
    ]);
  });

  it('rejects an item the flush gave no result for, and still answers the others', async () => {
    const commit = new GroupCommit<number, number>(options({ expected: () => 2 }), async (items) => [fulfilled(items[0])]);
    const results = await Promise.allSettled([commit.submit(1), commit.submit(2)]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 1 });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringContaining('no result') }) });
  });

  it('rejects every item of a flush that throws, and keeps going with the next flush', async () => {
    const outage = new Error('connection terminated');
    let calls = 0;
    const commit = new GroupCommit<number, number>(options({ expected: () => 3 }), async (items) => {
      calls++;
      if (calls === 1) throw outage;
      return items.map((item) => fulfilled(item));
    });

    const results = await Promise.allSettled([commit.submit(1), commit.submit(2), commit.submit(3)]);
    expect(results).toEqual([
      { status: 'rejected', reason: outage },
      { status: 'rejected', reason: outage },
      { status: 'rejected', reason: outage },
    ]);
    expect(commit.pending).toBe(0);
    await expect(Promise.all([commit.submit(4), commit.submit(5), commit.submit(6)])).resolves.toEqual([4, 5, 6]);
  });

  it('records each flush in the metrics under its name: its size, and its time by outcome', async () => {
    const metric = async (histogram: typeof batchSize | typeof batchDuration, name: string, labels: Record<string, string>) =>
      (await histogram.get()).values.find((sample) => sample.metricName === name && Object.entries(labels).every(([key, value]) => (sample.labels as Record<string, unknown>)[key] === value))?.value ?? 0;
    let calls = 0;
    let expected = 3;
    const commit = new GroupCommit<number, number>(options({ name: 'metrics_test', expected: () => expected }), async (items) => {
      if (++calls === 2) throw new Error('connection terminated');
      return items.map((item) => fulfilled(item));
    });

    await Promise.all([commit.submit(1), commit.submit(2), commit.submit(3)]);
    expected = 1;
    await expect(commit.submit(4)).rejects.toThrow('connection terminated');
    expect(await metric(batchSize, 'caseflow_batch_size_count', { batch: 'metrics_test' })).toBe(2);
    expect(await metric(batchSize, 'caseflow_batch_size_sum', { batch: 'metrics_test' })).toBe(4);
    expect(await metric(batchDuration, 'caseflow_batch_duration_seconds_count', { batch: 'metrics_test', outcome: 'ok' })).toBe(1);
    expect(await metric(batchDuration, 'caseflow_batch_duration_seconds_count', { batch: 'metrics_test', outcome: 'error' })).toBe(1);
  });
});

describe('inRounds', () => {
  it('puts the nth item of each key in round n, keeping arrival order within a round', () => {
    const items = ['a1', 'b1', 'a2', 'c1', 'a3', 'b2'];
    expect(inRounds(items, (item) => item[0])).toEqual([['a1', 'b1', 'c1'], ['a2', 'b2'], ['a3']]);
  });

  it('gives no rounds for no items', () => {
    expect(inRounds([], String)).toEqual([]);
  });
});
