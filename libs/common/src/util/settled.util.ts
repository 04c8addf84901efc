/** One item's answer from work done for many at once: its own value or its own error. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export const fulfilled = <R>(value: R): Settled<R> => ({ ok: true, value });
export const rejected = <R = never>(error: unknown): Settled<R> => ({ ok: false, error });
