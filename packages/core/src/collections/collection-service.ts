import { AppError, isAppError } from '../errors/app-error.js';
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
import { schemaViewOf, type SchemaView } from '../schema/schema-view.js';
import { changeLogStatements } from '../changes/change-log.js';
import { SUPERUSERS_ID, superusersDefinition, usersDefinition } from '../schema/system-collections.js';
import type { ListResult } from '@tandem/protocol';
import { listCollections, type CollectionListParams } from './collection-list.js';
import { inImport, planImport, type ImportStep } from './collection-import.js';
import { assertRulesCompile } from './collection-rules-check.js';
import { prepareImport } from './pocketbase-import.js';
import { inferViewFields, viewRefused } from './view-collection.js';

/** The outcome of an import: which collections were created, updated or left alone. */
export interface ImportResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  deleted: string[];
  /** What the import did differently from the file, one sentence each (PocketBase system collections, upgrades). */
  notices: string[];
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
  #announce: (() => Promise<void>) | undefined;

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

  /**
   * Awaits `announce` after each schema change this service made, before the change's
   * call returns: a cluster tells its other instances there (cluster/cluster-announcer.ts).
   */
  announceChangesWith(announce: () => Promise<void>): void {
    this.#announce = announce;
  }

  /** Calls `listener` after every schema change (caches keyed by schema drop their entries). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Creates a collection and its table. */
  async create(input: unknown): Promise<Collection> {
    const collection = normalizeCollection(input, undefined, this);
    this.#assertRules(collection, withCollection(this, collection));
    let stored = collection;
    await this.#apply(async (tx) => void (stored = await this.#insert(tx, collection)));
    return stored;
  }

  /** Changes a collection; its table follows in the same transaction. */
  async update(idOrName: string, input: unknown): Promise<Collection> {
    const before = this.get(idOrName);
    const after = normalizeCollection(input, before, this);
    this.#assertRules(after, withCollection(this, after));
    let stored = after;
    await this.#apply(async (tx) => void (stored = await this.#alter(tx, before, after)));
    return stored;
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

  /** Loads the definitions again now and tells the listeners (another instance announced a schema change). */
  refresh(): Promise<void> {
    return this.#reload();
  }

  /** Removes every record of a collection. */
  async truncate(idOrName: string): Promise<void> {
    const collection = this.get(idOrName);
    await this.#store.transaction((tx) => tx.run(sql`DELETE FROM ${ident(collection.name)}`));
  }

  /**
   * Imports collections from a PocketBase export of any version from 0.22 on (see
   * prepareImport). Every collection is checked before anything changes (fields, rules,
   * indexes, relations, what --delete-missing would remove); then all of it runs in one
   * transaction. A collection whose definition is unchanged is left alone, so importing
   * the same file twice changes nothing.
   */
  async import(inputs: unknown[], options: ImportOptions = {}): Promise<ImportResult> {
    const prepared = prepareImport(inputs);
    const result: ImportResult = { created: [], updated: [], unchanged: [], deleted: [], notices: prepared.notices };
    const steps = planImport(this, prepared.collections);
    const keep = new Set(steps.flatMap((s) => [s.before?.id, s.after.id]));
    const missing = options.deleteMissing ? this.all().filter((c) => !keep.has(c.id) && !c.system) : [];
    const afterwards = schemaAfter(this.all(), steps, missing);
    for (const collection of missing)
      this.#assertUnreferenced(collection, new Set(missing.map((c) => c.id)), afterwards.all());
    steps.forEach(({ after }, index) => this.#assertRules(after, afterwards, index));
    const total = steps.length + missing.length;
    await this.#apply(async (tx) => {
      let done = 0;
      const settled = () => options.onProgress?.(++done, total);
      // Views last: their queries read the tables the same import creates.
      for (const { before, after } of [...steps].sort((a, b) => viewLast(a.after) - viewLast(b.after))) {
        if (!before) await named(after, () => this.#insert(tx, after, afterwards)), result.created.push(after.name);
        else if (before === after) result.unchanged.push(after.name);
        else await named(after, () => this.#alter(tx, before, after, afterwards)), result.updated.push(after.name);
        settled();
      }
      for (const collection of missing)
        await this.#drop(tx, collection), result.deleted.push(collection.name), settled();
    });
    return result;
  }

  /** Checks a collection's rules against the schema it will live in; views are checked once their fields are known. */
  #assertRules(collection: Collection, schema: SchemaView, index?: number): void {
    if (collection.type === 'view') return;
    try {
      assertRulesCompile(collection, schema, this.#store.dialect);
    } catch (error) {
      if (index === undefined || !isAppError(error)) throw error;
      throw inImport(error, collection.name, index);
    }
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
    await this.#announce?.();
  }

  async #reload(): Promise<void> {
    await this.load();
    for (const listener of this.#listeners) listener();
  }

  async #insert(tx: Executor, collection: Collection, schema: SchemaView = this): Promise<Collection> {
    await runDdl(tx, collection, createTableStatements(tx.dialect, collection));
    const stored = await this.#settleView(tx, collection, schema);
    await tx.run(sql`INSERT INTO ${ident(COLLECTIONS_TABLE)} ("id", "name", "definition", "created", "updated")
      VALUES (${stored.id}, ${stored.name}, ${JSON.stringify(stored)}, ${stored.created}, ${stored.updated})`);
    return stored;
  }

  /** Changes a collection's table and definition; its id may change too (an import matched it by name). */
  async #alter(tx: Executor, before: Collection, after: Collection, schema: SchemaView = this): Promise<Collection> {
    await runDdl(tx, after, alterTableStatements(tx.dialect, before, after));
    const stored = await this.#settleView(tx, after, schema);
    await tx.run(
      sql`UPDATE ${ident(COLLECTIONS_TABLE)} SET "id" = ${stored.id}, "name" = ${stored.name}, "definition" = ${JSON.stringify(stored)}, "updated" = ${stored.updated} WHERE "id" = ${before.id}`,
    );
    return stored;
  }

  /** A view's fields come from its query, read in the transaction that created it; then its rules are checked. */
  async #settleView(tx: Executor, collection: Collection, schema: SchemaView): Promise<Collection> {
    if (collection.type !== 'view') return collection;
    const view = await inferViewFields(tx, collection, schema);
    assertRulesCompile(view, withCollection(schema, view), tx.dialect);
    return view;
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

/** A view of the schema with one collection added or replaced. */
function withCollection(schema: SchemaView, collection: Collection): SchemaView {
  const others = () => schema.all().filter((c) => c.id !== collection.id);
  return schemaViewOf([...others(), collection]);
}

/** The schema as it will be after an import: its steps applied and the missing collections gone. */
function schemaAfter(
  all: readonly Collection[],
  steps: readonly ImportStep[],
  missing: readonly Collection[],
): SchemaView {
  const gone = new Set([...steps.flatMap((s) => (s.before ? [s.before.id] : [])), ...missing.map((c) => c.id)]);
  return schemaViewOf([...all.filter((c) => !gone.has(c.id)), ...steps.map((s) => s.after)]);
}

/** Runs a collection's DDL; a view the database refuses gets an error that says why. */
async function runDdl(tx: Executor, collection: Collection, statements: readonly string[]): Promise<void> {
  try {
    for (const statement of statements) await tx.exec(statement);
  } catch (error) {
    throw collection.type === 'view' ? viewRefused(tx, collection, error) : error;
  }
}

/** Runs one step of an import; a database refusal names the collection it happened in. */
async function named<T>(collection: Collection, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isAppError(error)) throw error;
    const reason = (error as Error).message.split('\n')[0];
    throw new AppError('COLLECTION_INVALID', `Collection ${collection.name} was refused by the database: ${reason}`);
  }
}

function viewLast(collection: Collection): number {
  return collection.type === 'view' ? 1 : 0;
}
