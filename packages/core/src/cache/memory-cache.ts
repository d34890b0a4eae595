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

/**
 * The in-process Cache: least recently used entries go first once the total size would
 * pass `maxBytes`. `Map` keeps insertion order, so a hit re-inserts its entry at the end
 * and the first key is always the oldest.
 * @example const cache = new MemoryCache({ maxBytes: 64 * 1024 * 1024 });
 */
export class MemoryCache implements Cache {
  readonly #entries = new Map<string, Uint8Array>();
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
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  set(key: string, value: Uint8Array): Promise<void> {
    this.#remove(key);
    const size = sizeOf(key, value);
    if (size > this.#maxEntryBytes) return Promise.resolve();
    this.#entries.set(key, value);
    this.#bytes += size;
    for (const [oldest, old] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= sizeOf(oldest, old);
    }
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.#remove(key);
    return Promise.resolve();
  }

  #remove(key: string): void {
    const old = this.#entries.get(key);
    if (old === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= sizeOf(key, old);
  }
}

function sizeOf(key: string, value: Uint8Array): number {
  return key.length * 2 + value.byteLength + ENTRY_OVERHEAD;
}
