import type { AuthContext } from '@app/common';

/**
 * How long a process trusts a key it has looked up. A key revoked through this process is
 * refused at once (the revocation drops it here); one revoked by another API process is refused
 * here at most this long after.
 */
export const API_KEY_CACHE_TTL_MS = 5_000;

/** Distinct live keys a process remembers; beyond it the oldest entry is forgotten. */
const MAX_ENTRIES = 10_000;

interface Entry {
  auth: AuthContext;
  expiresAt: number;
}

/**
 * Valid keys by the SHA-256 of the key, for API_KEY_CACHE_TTL_MS, so a request does not cost a
 * PostgreSQL round trip to authenticate. Only valid keys are kept: an unknown key is looked up
 * every time, so a stream of made-up keys cannot fill the memory or hide a key issued later.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every invalidation: a look-up that started before one must not store its answer. */
  private generation = 0;

  constructor(
    private readonly ttlMs = API_KEY_CACHE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get(keyHash: string): AuthContext | undefined {
    const entry = this.entries.get(keyHash);
    if (!entry) return undefined;
    if (entry.expiresAt > this.now()) return entry.auth;
    this.entries.delete(keyHash);
    return undefined;
  }

  /** A token to hand back to `set`: the answer is stored only if nothing was invalidated meanwhile. */
  snapshot(): number {
    return this.generation;
  }

  set(keyHash: string, auth: AuthContext, snapshot: number): void {
    if (snapshot !== this.generation) return;
    this.entries.delete(keyHash);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(keyHash, { auth: Object.freeze({ ...auth }), expiresAt: this.now() + this.ttlMs });
  }

  /** Forgets one key by its id (revocation), or every key. */
  invalidate(keyId?: string): void {
    this.generation++;
    if (keyId === undefined) {
      this.entries.clear();
      return;
    }
    for (const [hash, entry] of this.entries) if (entry.auth.keyId === keyId) this.entries.delete(hash);
  }
}
