/** Bounds of an EtagCache. */
export interface EtagCacheOptions {
  /** Most entries kept (default 500). */
  maxEntries?: number;
  /** Most bytes of bodies kept, counted as UTF-16 code units × 2 (default 4 MiB). */
  maxBytes?: number;
}

interface Entry {
  readonly etag: string;
  readonly text: string;
}

/**
 * The client's copies of GET answers and their ETags, for revalidation: an LRU bounded by
 * entries and bytes. Keys hold the caller's identity (see `etagCacheKey`), so one
 * token's answers are never handed to another.
 */
export class EtagCache {
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(options: EtagCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 500;
    this.#maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  }

  /** The entry for `key`, now the most recently used. */
  get(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry) this.#entries.delete(key), this.#entries.set(key, entry);
    return entry;
  }

  /** Keeps a body and its tag; a body larger than the whole budget is not kept. */
  set(key: string, etag: string, text: string): void {
    this.delete(key);
    const size = sizeOf(key, text);
    if (size > this.#maxBytes) return;
    this.#entries.set(key, { etag, text });
    this.#bytes += size;
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.delete(oldest);
    }
  }

  /** Forgets one entry. */
  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= sizeOf(key, entry.text);
  }

  /** Forgets everything (on sign-in and sign-out). */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }
}

/** The cache key of a GET: who asks (token or cookie session) and the full URL. */
export function etagCacheKey(identity: string, url: string): string {
  return `${identity}\n${url}`;
}

function sizeOf(key: string, text: string): number {
  return (key.length + text.length) * 2;
}
