import { AppError } from '../errors/app-error.js';
import { sql, ident } from '../sql/sql.js';
import type { Executor, Store } from '../store/store.js';
import type { Collection } from '../schema/collection.js';
import { normalizeCollection } from '../schema/collection-validate.js';
import { withStoredDefaults } from '../schema/auth-collection.js';
import {
  alterTableStatements,
  collectionsTableStatement,
  COLLECTIONS_TABLE,
  createTableStatements,
  dropTableStatements,
} from '../schema/schema-ddl.js';
import type { SchemaView } from '../schema/schema-view.js';
import { collectionIdFor } from '../schema/collection-ids.js';
import { stableStringify } from '../json/stable-stringify.js';
import { changeLogStatements } from '../changes/change-log.js';
import { SUPERUSERS_ID, superusersDefinition, usersDefinition } from '../schema/system-collections.js';
import type { ListResult } from '@tandem/protocol';
import { listCollections, type CollectionListParams } from './collection-list.js';
import { assertRulesParse } from './collection-rules-check.js';

/** The outcome of an import: which collections were created, updated or left alone. */
export interface ImportResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  deleted: string[];
}

/** How `CollectionService.import` runs. */
export interface ImportOptions {
  /** Also delete the collections, other than system ones, that the import does not name. */
  readonly deleteMissing?: boolean;
  /**
   * Called inside the transaction each time one collection is settled (created,
   * updated, found unchanged or deleted), so a long import can show how far it is.
   */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Keeps collection definitions: in the `_collections` table and, for fast lookups, in
 * memory. Every change runs its DDL and its metadata write in one transaction.
 */
export class CollectionService implements SchemaView {
  readonly #store: Store;
  #byId = new Map<string, Collection>();
  #byName = new Map<string, Collection>();
  #listeners = new Set<() => void>();

  constructor(store: Store) {
    this.#store = store;
  }

  /** Creates the system table if needed and loads every collection. */
  async load(): Promise<void> {
    await this.#store.exec(collectionsTableStatement());
    // Every record write appends to the change log, so it exists wherever records do.
    for (const statement of changeLogStatements()) await this.#store.exec(statement);
    const rows = await this.#store.all<{ definition: string }>(
      sql`SELECT "definition" FROM ${ident(COLLECTIONS_TABLE)} ORDER BY "created", "id"`,
    );
    this.#replace(rows.map((row) => withStoredDefaults(JSON.parse(row.definition) as Collection)));
  }

  find(idOrName: string): Collection | undefined {
    return this.#byId.get(idOrName) ?? this.#byName.get(idOrName) ?? this.#byName.get(idOrName.toLowerCase());
  }

  all(): readonly Collection[] {
    return [...this.#byId.values()];
  }

  /** A page of collection definitions, filtered and sorted in memory (see listCollections). */
  list(params: CollectionListParams): ListResult<Collection> {
    return listCollections(this.all(), params);
  }

  /** A collection by id or name, or COLLECTION_NOT_FOUND. */
  get(idOrName: string): Collection {
    const found = this.find(idOrName);
    if (!found) throw new AppError('COLLECTION_NOT_FOUND');
    return found;
  }

  /** Calls `listener` after every schema change (caches keyed by schema drop their entries). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Creates a collection and its table. */
  async create(input: unknown): Promise<Collection> {
    const collection = normalizeCollection(input, undefined, this);
    assertRulesParse(collection);
    await this.#apply(async (tx) => this.#insert(tx, collection));
    return collection;
  }

  /** Changes a collection; its table follows in the same transaction. */
  async update(idOrName: string, input: unknown): Promise<Collection> {
    const before = this.get(idOrName);
    const after = normalizeCollection(input, before, this);
    assertRulesParse(after);
    await this.#apply(async (tx) => this.#alter(tx, before, after));
    return after;
  }

  /**
   * Creates `_superusers` and the default `users` collection on first start. Another
   * instance doing the same at the same moment is fine: the loser reloads.
   */
  async ensureSystemCollections(): Promise<void> {
    if (this.find(SUPERUSERS_ID)) return;
    const superusers = normalizeCollection(superusersDefinition(), undefined, this, true);
    const users = this.find('users') ? undefined : normalizeCollection(usersDefinition(), undefined, this, true);
    try {
      await this.#apply(async (tx) => {
        await this.#insert(tx, superusers);
        if (users) await this.#insert(tx, users);
      });
    } catch (error) {
      if (!this.find(SUPERUSERS_ID)) throw error;
    }
  }

  /** Deletes a collection and its table, unless it is a system collection or another collection still relates to it. */
  async delete(idOrName: string): Promise<void> {
    const collection = this.get(idOrName);
    if (collection.system) throw new AppError('COLLECTION_SYSTEM_PROTECTED');
    this.#assertUnreferenced(collection, new Set([collection.id]));
    await this.#apply(async (tx) => this.#drop(tx, collection));
  }

  /**
   * Reloads the definitions whenever another process changes them (a `tandem
   * collections import` beside a running server, or another instance on the same
   * PostgreSQL). Polls a cheap fingerprint of `_collections`; returns a stop function.
   */
  watch(intervalMs = 2000): () => void {
    let last: string | undefined;
    let busy = false;
    const check = async () => {
      if (busy) return;
      busy = true;
      try {
        const row = await this.#store.first<{ n: unknown; u: unknown }>(
          sql`SELECT COUNT(*) AS "n", MAX("updated") AS "u" FROM ${ident(COLLECTIONS_TABLE)}`,
        );
        const fingerprint = `${row?.n}|${row?.u}|${this.all().length}`;
        if (last !== undefined && fingerprint !== last) await this.#reload();
        last = fingerprint;
      } catch {
        // The database may be briefly unavailable; the next tick tries again.
      } finally {
        busy = false;
      }
    };
    void check();
    const timer = setInterval(check, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Removes every record of a collection. */
  async truncate(idOrName: string): Promise<void> {
    const collection = this.get(idOrName);
    await this.#store.transaction((tx) => tx.run(sql`DELETE FROM ${ident(collection.name)}`));
  }

  /**
   * Imports collections (PocketBase's export format). A collection is matched by id,
   * then by name; one whose definition is unchanged is left alone, so importing the
   * same file twice changes nothing. All of it runs in one transaction.
   */
  async import(inputs: unknown[], options: ImportOptions = {}): Promise<ImportResult> {
    const result: ImportResult = { created: [], updated: [], unchanged: [], deleted: [] };
    const view = this.#importView(inputs);
    const plan = inputs.map((input) => this.#planImport(input, view));
    const keep = new Set(plan.map((p) => p.after.id));
    const missing = options.deleteMissing ? this.all().filter((c) => !keep.has(c.id) && !c.system) : [];
    for (const collection of missing)
      this.#assertUnreferenced(
        collection,
        new Set(missing.map((c) => c.id)),
        plan.map((p) => p.after),
      );
    const total = plan.length + missing.length;
    await this.#apply(async (tx) => {
      let done = 0;
      const settled = () => options.onProgress?.(++done, total);
      for (const { before, after } of plan) {
        if (!before) await this.#insert(tx, after), result.created.push(after.name);
        else if (sameDefinition(before, after)) result.unchanged.push(after.name);
        else await this.#alter(tx, before, after), result.updated.push(after.name);
        settled();
      }
      for (const collection of missing)
        await this.#drop(tx, collection), result.deleted.push(collection.name), settled();
    });
    return result;
  }

  #planImport(input: unknown, view: SchemaView): { before: Collection | undefined; after: Collection } {
    const raw = (input ?? {}) as { id?: unknown; name?: unknown };
    const before =
      (typeof raw.id === 'string' ? this.#byId.get(raw.id) : undefined) ??
      (typeof raw.name === 'string' ? this.find(raw.name) : undefined);
    // The collection must not collide with itself: leave its own entry (stored or incoming) out.
    const selfId = before?.id ?? view.find(typeof raw.id === 'string' ? raw.id : String(raw.name ?? ''))?.id;
    const otherView = withoutCollection(view, selfId);
    const after = normalizeCollection(input, before, otherView);
    return { before, after: before && sameDefinition(before, after) ? before : after };
  }

  /** A view over existing collections plus the ones being imported, for relation targets. */
  #importView(inputs: unknown[]): SchemaView {
    const incoming = inputs
      .filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null)
      .map((raw) => {
        const name = String(raw.name ?? '');
        const id =
          typeof raw.id === 'string'
            ? raw.id
            : (this.find(name)?.id ?? collectionIdFor(String(raw.type ?? 'base'), name));
        return { id, name } as Collection;
      });
    return {
      find: (key) => this.find(key) ?? incoming.find((c) => c.id === key) ?? incoming.find((c) => c.name === key),
      all: () =>
        this.all()
          .filter((c) => !incoming.some((i) => i.id === c.id))
          .concat(incoming),
    };
  }

  #assertUnreferenced(target: Collection, leaving: Set<string>, remaining: readonly Collection[] = this.all()): void {
    const referrer = remaining.find(
      (c) => !leaving.has(c.id) && c.fields.some((f) => f.type === 'relation' && f.collectionId === target.id),
    );
    if (referrer) {
      throw new AppError('COLLECTION_INVALID', `Collection ${target.name} is still referenced by ${referrer.name}.`, {
        collection: {
          code: 'validation_collection_referenced',
          message: `Referenced by a relation field of ${referrer.name}.`,
        },
      });
    }
  }

  async #apply(work: (tx: Executor) => Promise<void>): Promise<void> {
    try {
      await this.#store.transaction(work);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError(
        'COLLECTION_INVALID',
        `The schema change was refused by the database: ${(error as Error).message.split('\n')[0]}`,
      );
    } finally {
      await this.#reload();
    }
  }

  async #reload(): Promise<void> {
    await this.load();
    for (const listener of this.#listeners) listener();
  }

  async #insert(tx: Executor, collection: Collection): Promise<void> {
    for (const statement of createTableStatements(tx.dialect, collection)) await tx.exec(statement);
    await tx.run(sql`INSERT INTO ${ident(COLLECTIONS_TABLE)} ("id", "name", "definition", "created", "updated")
      VALUES (${collection.id}, ${collection.name}, ${JSON.stringify(collection)}, ${collection.created}, ${collection.updated})`);
  }

  async #alter(tx: Executor, before: Collection, after: Collection): Promise<void> {
    for (const statement of alterTableStatements(tx.dialect, before, after)) await tx.exec(statement);
    await tx.run(
      sql`UPDATE ${ident(COLLECTIONS_TABLE)} SET "name" = ${after.name}, "definition" = ${JSON.stringify(after)}, "updated" = ${after.updated} WHERE "id" = ${after.id}`,
    );
  }

  async #drop(tx: Executor, collection: Collection): Promise<void> {
    for (const statement of dropTableStatements(collection)) await tx.exec(statement);
    await tx.run(sql`DELETE FROM ${ident(COLLECTIONS_TABLE)} WHERE "id" = ${collection.id}`);
  }

  #replace(collections: Collection[]): void {
    this.#byId = new Map(collections.map((c) => [c.id, c]));
    this.#byName = new Map(
      collections.flatMap((c) => [
        [c.name, c],
        [c.name.toLowerCase(), c],
      ]),
    );
  }
}

function withoutCollection(view: SchemaView, id: string | undefined): SchemaView {
  if (id === undefined) return view;
  return {
    find: (key) => {
      const found = view.find(key);
      return found?.id === id ? undefined : found;
    },
    all: () => view.all().filter((c) => c.id !== id),
  };
}

/** True when two definitions differ only in their timestamps. */
function sameDefinition(a: Collection, b: Collection): boolean {
  const strip = ({ created: _c, updated: _u, ...rest }: Collection) => rest;
  return stableStringify(strip(a)) === stableStringify(strip(b));
}
