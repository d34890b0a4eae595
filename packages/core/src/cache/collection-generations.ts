import type { ChangeFeed } from '../changes/change-feed.js';
import type { CollectionService } from '../collections/collection-service.js';

/**
 * A counter per collection, bumped on every change of that collection, plus a schema
 * counter bumped on every schema change. Cache keys carry the counters of every
 * collection an answer depends on, so invalidation is O(1): a bump makes every older
 * key unreachable, and the entries behind them age out of the LRU.
 *
 * Bumps come from three places (see docs/caching.md): the store wrapper, synchronously
 * after a local commit and before the write is acknowledged; the change feed, for writes
 * of other processes; and the CollectionService, for schema changes.
 */
export class CollectionGenerations {
  #byId = new Map<string, number>();
  #schema = 0;
  #epoch = '';
  #definitions = 0;

  /** The generation of a collection (0 until its first change). */
  of(collectionId: string): number {
    return this.#byId.get(collectionId) ?? 0;
  }

  /** The generation of the schema: every collection definition at once. */
  get schema(): number {
    return this.#schema;
  }

  /**
   * What cache keys carry besides the collections' counters: the epoch (a cluster's
   * shared counters restart under a new epoch) and the schema counter.
   */
  get stamp(): string {
    return `${this.#epoch}.${this.#schema}`;
  }

  /** Changes whenever this process loaded other definitions, whatever the shared counters say (memos of the schema). */
  get definitions(): string {
    return `${this.stamp}/${this.#definitions}`;
  }

  /**
   * Takes a cluster's shared counters as they are now (see cluster/shared-generations.ts):
   * every counter absent from `byId` is 0 again.
   */
  replace(byId: ReadonlyMap<string, number>, schema: number, epoch: string): void {
    this.#byId = new Map(byId);
    this.#schema = schema;
    this.#epoch = epoch;
  }

  /** Marks collections as changed. */
  bump(collectionIds: Iterable<string>): void {
    for (const id of collectionIds) this.#byId.set(id, (this.#byId.get(id) ?? 0) + 1);
  }

  /** Marks the schema as changed (a definition was created, altered or dropped). */
  bumpSchema(): void {
    this.#schema++;
    this.#definitions++;
  }

  /**
   * Follows the change feed (changes committed anywhere, including other processes) and
   * the collection service (schema changes). Returns the function that stops both.
   */
  follow(feed: ChangeFeed, collections: CollectionService): () => void {
    const ids = [''];
    const stopFeed = feed.subscribe((event) => {
      ids[0] = event.collectionId;
      this.bump(ids);
    });
    const stopSchema = collections.onChange(() => this.bumpSchema());
    return () => {
      stopFeed();
      stopSchema();
    };
  }
}
