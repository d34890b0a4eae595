import type { FilterNode } from './filter-ast.js';
import { parseFilterText } from './filter-parser.js';

/** How many distinct filter texts keep their parsed tree. */
export const FILTER_CACHE_SIZE = 512;

/** A small least-recently-used map; `Map` keeps insertion order, so the first key is the oldest. */
export class LruCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The value for a key, marking it as recently used. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Stores a value, evicting the least recently used entry when full. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value as K);
  }

  /** How many entries are kept. */
  get size(): number {
    return this.#entries.size;
  }
}

const cache = new LruCache<string, FilterNode>(FILTER_CACHE_SIZE);

/**
 * Parses filter text into a frozen syntax tree, reusing the tree of a recently parsed
 * identical text. Errors are not cached. Throws AppError FILTER_INVALID.
 * @example compileFilter(parseFilter('author.name ~ "ann"'), context)
 */
export function parseFilter(text: string): FilterNode {
  const cached = cache.get(text);
  if (cached) return cached;
  const node = parseFilterText(text);
  cache.set(text, node);
  return node;
}
