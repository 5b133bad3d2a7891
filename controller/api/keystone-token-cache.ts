// Tokens Keystone has already validated, so that a client's burst of requests costs
// one round trip to Keystone, not one per request. Keys are SHA-256 digests (as in
// keystonemiddleware), so a heap dump holds no usable token. An entry is dropped at
// its `until` (never later than the token's expires_at) and, when the cache is full,
// the least recently used entry makes room: a Map keeps insertion order, and a hit
// re-inserts its key.
import { createHash } from 'node:crypto';

export class TokenCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) {
      throw new Error(`keystone.cacheSize must be a non-negative integer, not ${maxEntries}`);
    }
  }

  static key(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }

  get(token: string): V | undefined {
    const key = TokenCache.key(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.until <= this.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keep `value` until the epoch milliseconds `until`; nothing is kept if that has passed. */
  set(token: string, value: V, until: number): void {
    if (this.maxEntries === 0 || until <= this.now()) return;
    const key = TokenCache.key(token);
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { value, until });
  }

  get size(): number {
    return this.entries.size;
  }
}
