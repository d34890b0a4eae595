import DataLoader from 'dataloader';
import type { ActionDispatcher, RecordJson, RequestContext } from '@tandem/core';

/** Most ids one batched read takes (core's limit). */
const MAX_BATCH = 1000;

/**
 * DataLoaders of one operation: every relation field resolved in the same tick becomes one
 * `records.viewMany` (or `records.viewReferencing` for back-relations) per target, so a
 * page of 100 posts with their author and comments costs one statement per relation
 * level. What the caller may view is decided by those actions (the target's view rule).
 */
export class RecordLoaders {
  readonly #actions: ActionDispatcher;
  readonly #request: RequestContext;
  readonly #byId = new Map<string, DataLoader<string, RecordJson | null>>();
  readonly #referencing = new Map<string, DataLoader<string, RecordJson[]>>();

  constructor(actions: ActionDispatcher, request: RequestContext) {
    this.#actions = actions;
    this.#request = request;
  }

  /** The records of `collection` with these ids the caller may view, in the order asked; others are left out. */
  async viewable(collection: string, ids: readonly string[]): Promise<RecordJson[]> {
    const loaded = await this.#loaderById(collection).loadMany(ids);
    return loaded.filter((r): r is RecordJson => r !== null && !(r instanceof Error));
  }

  /** One record the caller may view, or null. */
  async one(collection: string, id: string): Promise<RecordJson | null> {
    return this.#loaderById(collection).load(id);
  }

  /** The records of `collection` whose relation `field` points at `id` and that the caller may view. */
  async referencing(collection: string, field: string, id: string): Promise<RecordJson[]> {
    const key = `${collection}\u0000${field}`;
    let loader = this.#referencing.get(key);
    if (!loader) this.#referencing.set(key, (loader = this.#referencingLoader(collection, field)));
    return loader.load(id);
  }

  /** Forgets what was read: a mutation ran, and later fields must see its effect. */
  clear(): void {
    this.#byId.clear();
    this.#referencing.clear();
  }

  #loaderById(collection: string): DataLoader<string, RecordJson | null> {
    let loader = this.#byId.get(collection);
    if (!loader) {
      loader = new DataLoader(
        async (ids) => {
          const found = await this.#read('records.viewMany', { collection }, ids);
          const byId = new Map(found.map((r) => [r.id, r]));
          return ids.map((id) => byId.get(id) ?? null);
        },
        { maxBatchSize: MAX_BATCH },
      );
      this.#byId.set(collection, loader);
    }
    return loader;
  }

  #referencingLoader(collection: string, field: string): DataLoader<string, RecordJson[]> {
    return new DataLoader(
      async (ids) => {
        const found = await this.#read('records.viewReferencing', { collection, field }, ids);
        return ids.map((id) => found.filter((r) => pointsAt(r[field], id)));
      },
      { maxBatchSize: MAX_BATCH },
    );
  }

  async #read(action: string, params: Record<string, string>, ids: readonly string[]): Promise<RecordJson[]> {
    const result = await this.#actions.dispatch(action, { params, query: {}, body: { ids: [...ids] } }, this.#request);
    return result.body as RecordJson[];
  }
}

function pointsAt(value: unknown, id: string): boolean {
  return Array.isArray(value) ? value.includes(id) : value === id;
}
