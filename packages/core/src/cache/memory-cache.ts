import type { Cache } from './cache.js';

/** Limits of an in-process cache. */
export interface MemoryCacheOptions {
  /** Total bytes of keys and values kept (keys count two bytes a character). */
  readonly maxBytes: number;
  /** Largest single entry; larger values are not stored. Default: an eighth of `maxBytes`. */
  readonly maxEntryBytes?: number;
}

// Bookkeeping of a Map entry (the key, the value's header, the map slot), roughly.
const ENTRY_OVERHEAD = 64;

/** 64 MiB: the default size of the in-process response cache. */
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

/** A stored value, and whether it was read since eviction last passed it. */
interface Entry {
  readonly value: Uint8Array;
  used: boolean;
  /** What `preparedNow` made of the value, and the function that made it. */
  prepared: unknown;
  preparedBy: unknown;
}

/**
 * The in-process Cache, evicting by CLOCK (second chance), the usual approximation of
 * least-recently-used: a hit only marks its entry as used, so reading costs one Map
 * lookup and no reordering. When the total size would pass `maxBytes`, eviction walks
 * from the oldest entry: a used one gets a second chance (moved to the end, unmarked),
 * an unused one goes. `Map` keeps insertion order, so the walk starts at the oldest.
 * @example const cache = new MemoryCache({ maxBytes: 64 * 1024 * 1024 });
 */
export class MemoryCache implements Cache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxBytes: number;
  readonly #maxEntryBytes: number;
  #bytes = 0;

  constructor(options: MemoryCacheOptions) {
    if (!(options.maxBytes > 0)) throw new RangeError('maxBytes must be positive');
    this.#maxBytes = options.maxBytes;
    this.#maxEntryBytes = Math.min(options.maxEntryBytes ?? Math.floor(options.maxBytes / 8), options.maxBytes);
  }

  /** Bytes currently accounted for. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entries currently kept. */
  get size(): number {
    return this.#entries.size;
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.getNow(key));
  }

  /** `get` without the promise, for callers in the same process. */
  getNow(key: string): Uint8Array | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    entry.used = true;
    return entry.value;
  }

  /** See Cache.preparedNow; the prepared form counts nothing towards `maxBytes` beyond the value it is made of. */
  preparedNow<T>(key: string, prepare: (value: Uint8Array) => T): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    entry.used = true;
    if (entry.preparedBy !== prepare) {
      entry.prepared = prepare(entry.value);
      entry.preparedBy = prepare;
    }
    return entry.prepared as T;
  }

  set(key: string, value: Uint8Array): Promise<void> {
    this.#remove(key);
    const size = sizeOf(key, value);
    if (size > this.#maxEntryBytes) return Promise.resolve();
    this.#entries.set(key, { value, used: false, prepared: undefined, preparedBy: undefined });
    this.#bytes += size;
    this.#evict(key);
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.#remove(key);
    return Promise.resolve();
  }

  /**
   * Drops entries from the oldest on until the total fits, sparing `newest` (just set;
   * one entry alone always fits, as it is at most maxEntryBytes). A used entry is moved
   * to the end once and unmarked, so each entry is passed over at most twice.
   */
  #evict(newest: string): void {
    while (this.#bytes > this.#maxBytes && this.#entries.size > 1) {
      const [oldest, entry] = this.#entries.entries().next().value as [string, Entry];
      this.#entries.delete(oldest);
      if (oldest === newest || entry.used) {
        entry.used = false;
        this.#entries.set(oldest, entry);
      } else this.#bytes -= sizeOf(oldest, entry.value);
    }
  }

  #remove(key: string): void {
    const old = this.#entries.get(key);
    if (old === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= sizeOf(key, old.value);
  }
}

function sizeOf(key: string, value: Uint8Array): number {
  return key.length * 2 + value.byteLength + ENTRY_OVERHEAD;
}
