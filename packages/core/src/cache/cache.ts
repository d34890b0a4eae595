/**
 * The Cache port: bytes by string key, bounded by total bytes. The in-process LRU
 * (`memory-cache.ts`) is the one-machine implementation; a shared one (Redis) implements
 * the same interface. Entries are never invalidated one by one on writes: keys carry the
 * generations of the collections an entry depends on (see `collection-generations.ts`),
 * so a stale entry is simply never asked for again and ages out.
 */
export interface Cache {
  /** The bytes stored under `key`, or undefined. A hit counts as a use (LRU). */
  get(key: string): Promise<Uint8Array | undefined>;
  /** `get` without the promise, offered by caches in the same process (absent for a remote one). */
  getNow?(key: string): Uint8Array | undefined;
  /**
   * `getNow` as what a hit uses: `prepare` turns the stored bytes into it once per stored
   * value, and the cache keeps the result beside them, so that a hit only looks it up
   * (in-process caches only). Each key must always be read with the same `prepare`.
   */
  preparedNow?<T>(key: string, prepare: (value: Uint8Array) => T): T | undefined;
  /** Stores `value` under `key`; may drop it (too large) or evict older entries to fit. */
  set(key: string, value: Uint8Array): Promise<void>;
  /** Removes `key` (nothing happens when it is absent). */
  delete(key: string): Promise<void>;
}
