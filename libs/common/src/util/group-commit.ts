import { batchDuration, batchSize } from '../metrics/metrics';
import type { Settled } from './settled.util';

interface Limits {
  /** Names the batch in the metrics (`caseflow_batch_size{batch="events"}`). */
  name: string;
  /** Items one flush takes at most. */
  maxBatch: number;
  /** Flushes running at once: while one waits on the database, the next one gathers and computes. */
  maxFlushes: number;
}

/**
 * Without `expected`, nobody is waited for: a flush starts whenever fewer than maxFlushes run, and
 * what arrives while they all run goes together in the next one (the API's events, where any
 * request may or may not come). With it, a flush may wait a moment for company (the worker's
 * steps, where the jobs in hand are known).
 */
export type GroupCommitOptions = Limits &
  (
    | { expected?: undefined; maxWaitMs?: undefined }
    | {
        /**
         * Items that could still join: a flush starts at once when every one of them is waiting or
         * in a flush. Otherwise the first waiting item waits up to maxWaitMs for the others, unless
         * the commit is quiet (no flush running, and the last one took a single item): company is
         * then unlikely, and the flush starts once the current turn of the event loop is over.
         */
        expected: () => number;
        /** How long the first waiting item waits for company before a flush starts anyway. */
        maxWaitMs: number;
      }
  );

interface Waiting<T, R> {
  item: T;
  since: number;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: callers submit items one by one and get their own answer back, while the work of
 * many concurrent items is done together by one `flush` (one transaction for all of them, or one
 * statement for reads). A flush that throws rejects every item it took; otherwise each item
 * settles as `flush` says.
 */
export class GroupCommit<T, R> {
  private waiting: Array<Waiting<T, R>> = [];
  private flushing = 0;
  private inFlight = 0;
  /** Items the last flush took: one means traffic is light (before any flush, nothing is known). */
  private lastFlushSize = Number.POSITIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;

  constructor(
    private readonly options: GroupCommitOptions,
    private readonly flush: (items: T[]) => Promise<Array<Settled<R>>>,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, since: performance.now(), resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a flush plus items in a flush (for tests and progress lines). */
  get pending(): number {
    return this.waiting.length + this.inFlight;
  }

  private schedule(): void {
    while (this.waiting.length > 0 && this.flushing < this.options.maxFlushes) {
      const { expected, maxWaitMs } = this.options;
      const everyoneIn = expected === undefined || this.waiting.length + this.inFlight >= expected();
      const waited = performance.now() - this.waiting[0].since;
      if (!everyoneIn && this.waiting.length < this.options.maxBatch && waited < maxWaitMs) {
        if (this.flushing === 0 && this.lastFlushSize <= 1) {
          // Quiet: only what arrives in this turn of the event loop (one reply from Redis) joins.
          this.immediate ??= setImmediate(() => {
            this.immediate = undefined;
            this.start();
            this.schedule();
          });
          return;
        }
        // Wait a moment for the rest (counted from the oldest item); the timer flushes whatever has come by then.
        this.timer ??= setTimeout(() => {
          this.timer = undefined;
          this.start();
          this.schedule();
        }, maxWaitMs - waited);
        return;
      }
      this.start();
    }
  }

  private start(): void {
    if (this.waiting.length === 0 || this.flushing >= this.options.maxFlushes) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.immediate) {
      clearImmediate(this.immediate);
      this.immediate = undefined;
    }
    const batch = this.waiting.splice(0, this.options.maxBatch);
    this.lastFlushSize = batch.length;
    this.flushing++;
    this.inFlight += batch.length;
    void this.run(batch);
  }

  private async run(batch: Array<Waiting<T, R>>): Promise<void> {
    const { name } = this.options;
    batchSize.observe({ batch: name }, batch.length);
    const stopTimer = batchDuration.startTimer({ batch: name });
    try {
      const results = await this.flush(batch.map((entry) => entry.item));
      stopTimer({ outcome: 'ok' });
      batch.forEach((entry, i) => {
        const result = results[i];
        if (!result) entry.reject(new Error('The batch returned no result for this item.'));
        else if (result.ok) entry.resolve(result.value);
        else entry.reject(result.error);
      });
    } catch (error) {
      stopTimer({ outcome: 'error' });
      for (const entry of batch) entry.reject(error);
    } finally {
      this.flushing--;
      this.inFlight -= batch.length;
      this.schedule();
    }
  }
}

/**
 * Splits a flush's items into rounds, in order, each taking at most one item per key: the nth item
 * of a key goes in round n, so it is decided on what the earlier ones made of that key's row.
 */
export function inRounds<T>(entries: T[], keyOf: (entry: T) => string): T[][] {
  const rounds: T[][] = [];
  const seen = new Map<string, number>();
  for (const entry of entries) {
    const key = keyOf(entry);
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push(entry);
  }
  return rounds;
}
