import DataLoader from 'dataloader';
import { AppError, MAX_EXPANDED_JSON, type ActionDispatcher, type RecordJson, type RequestContext } from '@tandem/core';

/** Most ids one batched read takes (core's limit). */
const MAX_BATCH = 1000;

/**
 * Most JSON (in characters, of whole records) the relation fields of one operation may
 * resolve, each copy counted: REST's expand bound. The cost check assumes lists of
 * `listFactor` items, but a multi relation may hold hundreds, and records that relate to
 * each other multiply at each level (300 such records, three levels deep, are 27 million
 * objects, which ended the process).
 */
export const MAX_RELATED_JSON = MAX_EXPANDED_JSON;

/** The refusal of an operation whose relations resolve more than MAX_RELATED_JSON. */
export function tooManyRelated(): AppError {
  return new AppError(
    'GRAPHQL_LIMIT_EXCEEDED',
    `The query's relations resolve more than ${MAX_RELATED_JSON / 2 ** 20} MiB of records; ask for fewer levels or smaller pages.`,
    { limit: 'related records JSON', max: MAX_RELATED_JSON },
  );
}

/**
 * What the relation fields of some operations hold at once, in JSON characters: one per
 * HTTP request, one per socket for all its operations (a socket runs up to a thousand).
 */
export interface RelationBudget {
  held: number;
}

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
  readonly #budget: RelationBudget;
  /** JSON characters of the related records this operation handed out and holds, each copy counted. */
  #held = 0;
  #cut = false;
  readonly #sizes = new WeakMap<RecordJson, number>();

  constructor(actions: ActionDispatcher, request: RequestContext, budget: RelationBudget = { held: 0 }) {
    this.#actions = actions;
    this.#request = request;
    this.#budget = budget;
  }

  /**
   * True once this operation's relation fields would have taken the budget past
   * MAX_RELATED_JSON. The field that crossed it failed with the limit's error; later
   * relation fields answer nothing at once and read nothing (an error each would cost
   * more than the fields), and the endpoint answers the limit's error alone, never the
   * cut result.
   */
  get overBudget(): boolean {
    return this.#cut;
  }

  /** The records of `collection` with these ids the caller may view, in the order asked; others are left out. */
  async viewable(collection: string, ids: readonly string[]): Promise<RecordJson[]> {
    if (this.overBudget) return [];
    const loaded = await this.#loaderById(collection).loadMany(ids);
    return this.#spend(loaded.filter((r): r is RecordJson => r !== null && !(r instanceof Error)));
  }

  /** One record the caller may view, or null. */
  async one(collection: string, id: string): Promise<RecordJson | null> {
    if (this.overBudget) return null;
    const found = await this.#loaderById(collection).load(id);
    return found && (this.#spend([found])[0] ?? null);
  }

  /** The records of `collection` whose relation `field` points at `id` and that the caller may view. */
  async referencing(collection: string, field: string, id: string): Promise<RecordJson[]> {
    if (this.overBudget) return [];
    const key = `${collection}\u0000${field}`;
    let loader = this.#referencing.get(key);
    if (!loader) this.#referencing.set(key, (loader = this.#referencingLoader(collection, field)));
    return this.#spend(await loader.load(id));
  }

  /**
   * Counts records handed to a resolver (each record's JSON measured once). The field that
   * crosses the budget fails; the fields that were waiting on the same reads get nothing.
   */
  #spend(records: RecordJson[]): RecordJson[] {
    if (this.#cut) return [];
    let added = 0;
    for (const record of records) {
      let size = this.#sizes.get(record);
      if (size === undefined) this.#sizes.set(record, (size = JSON.stringify(record).length));
      added += size;
    }
    if (this.#budget.held + added > MAX_RELATED_JSON) {
      this.#cut = true;
      throw tooManyRelated();
    }
    this.#budget.held += added;
    this.#held += added;
    return records;
  }

  /** Gives back to the budget what this operation holds: its answer went out. */
  release(): void {
    this.#budget.held -= this.#held;
    this.#held = 0;
  }

  /** A subscription's next event: forgets what was read, and gives back what the last one held. */
  nextEvent(): void {
    this.clear();
    this.release();
    this.#cut = false;
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
