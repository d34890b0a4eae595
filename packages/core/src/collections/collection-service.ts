import { AppError } from '../errors/app-error.js';
import { sql, ident } from '../sql/sql.js';
import type { Executor, Store } from '../store/store.js';
import type { Collection } from '../schema/collection.js';
import { normalizeCollection } from '../schema/collection-validate.js';
import { withStoredDefaults } from '../schema/auth-collection.js';
import { collectionsTableStatement, COLLECTIONS_TABLE } from '../schema/schema-ddl.js';
import type { SchemaView } from '../schema/schema-view.js';
import { changeLogStatements, upgradeChangeLog } from '../changes/change-log.js';
import { SUPERUSERS_ID, superusersDefinition, usersDefinition } from '../schema/system-collections.js';
import type { ListResult } from '@tandem/protocol';
import { listCollections, type CollectionListParams } from './collection-list.js';
import { CollectionEdit, type ImportOptions, type ImportResult, type SchemaChange } from './collection-edit.js';
import { insertCollection } from './collection-writes.js';

export type { ImportOptions, ImportResult, SchemaChange } from './collection-edit.js';

/**
 * Told of the schema changes made through the service's own methods (the API's and
 * the admin UI's), inside their transaction, before it commits: a failure rolls the
 * change back. The function it may return runs if the transaction still fails (undo
 * what was done outside the database).
 */
export type SchemaChangeObserver = (
  tx: Executor,
  changes: readonly SchemaChange[],
) => Promise<(() => void) | undefined>;

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
  #observers = new Set<SchemaChangeObserver>();
  /** How many reads of the definitions have started, and which of them is installed, with its fingerprint. */
  #reads = 0;
  #loaded = { ticket: 0, fingerprint: '' };

  constructor(store: Store) {
    this.#store = store;
  }

  /** Creates or upgrades the system tables if needed and loads every collection. */
  async load(): Promise<void> {
    const lock = this.#store.dialect.setupLock;
    // Where processes may set up the tables side by side (PostgreSQL), they take turns.
    if (lock)
      await this.#store.transaction(async (tx) => {
        await tx.exec(lock);
        await setUpSystemTables(tx);
      });
    else await setUpSystemTables(this.#store);
    await this.#read();
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

  /** Tells `observer` of every change made through create, update, delete and import (see SchemaChangeObserver). */
  observeChanges(observer: SchemaChangeObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /** Creates a collection and its table. */
  async create(input: unknown): Promise<Collection> {
    return this.#edit((edit) => edit.create(input), true);
  }

  /** Changes a collection; its table follows in the same transaction. */
  async update(idOrName: string, input: unknown): Promise<Collection> {
    this.get(idOrName);
    return this.#edit((edit) => edit.update(idOrName, input), true);
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
        await insertCollection(tx, superusers, this);
        if (users) await insertCollection(tx, users, this);
      });
    } catch (error) {
      if (!this.find(SUPERUSERS_ID)) throw error;
    }
  }

  /** Deletes a collection and its table, unless it is a system collection or another collection still relates to it. */
  async delete(idOrName: string): Promise<void> {
    this.get(idOrName);
    await this.#edit((edit) => edit.delete(idOrName), true);
  }

  /**
   * Reloads the definitions whenever another process changes them (a `tandem
   * collections import` beside a running server, or another instance on the same
   * PostgreSQL). Polls a cheap fingerprint of `_collections` and reloads when it differs
   * from the one of the definitions held; returns a stop function.
   */
  watch(intervalMs = 2000): () => void {
    let busy = false;
    const check = async () => {
      if (busy) return;
      busy = true;
      try {
        if ((await this.#fingerprint()) !== this.#loaded.fingerprint) await this.#reload();
      } catch {
        // The database may be briefly unavailable; the next tick tries again.
      } finally {
        busy = false;
      }
    };
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
   * CollectionEdit.import): everything is checked, then all of it runs in one transaction.
   */
  async import(inputs: unknown[], options: ImportOptions = {}): Promise<ImportResult> {
    return this.#edit((edit) => edit.import(inputs, options), true);
  }

  /**
   * Runs `work` in one transaction: schema changes through the edit and any statements
   * on `edit.tx` commit together or not at all. Observers are not told (a migration
   * that is applied records itself).
   */
  async edit<T>(work: (edit: CollectionEdit) => Promise<T>): Promise<T> {
    return this.#edit(work, false);
  }

  async #edit<T>(work: (edit: CollectionEdit) => Promise<T>, observed: boolean): Promise<T> {
    let result: T;
    let undo: (() => void) | undefined;
    try {
      await this.#apply(async (tx) => {
        const edit = new CollectionEdit(tx, this.all());
        result = await work(edit);
        if (observed && edit.changes.length > 0) undo = await this.#notify(tx, edit.changes);
      });
    } catch (error) {
      undo?.();
      throw error;
    }
    return result!;
  }

  async #notify(tx: Executor, changes: readonly SchemaChange[]): Promise<(() => void) | undefined> {
    const undos: Array<() => void> = [];
    const undoAll = () => undos.forEach((undo) => undo());
    try {
      for (const observer of this.#observers) {
        const undo = await observer(tx, changes);
        if (undo) undos.push(undo);
      }
    } catch (error) {
      // A later observer refused: what the earlier ones did outside the database goes too.
      undoAll();
      throw error;
    }
    return undos.length > 0 ? undoAll : undefined;
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
    await this.#read();
    for (const listener of this.#listeners) listener();
  }

  /**
   * Reads every definition. NB: reads overlap (an announcement, the watch and a schema
   * change of this instance's may each start one); one that started before another
   * finished may read older rows, so it is dropped rather than installed over newer ones.
   */
  async #read(): Promise<void> {
    const ticket = ++this.#reads;
    // The fingerprint is read first: a change committed between the two reads makes it
    // older than the definitions, so the watch reads once more, never once too few.
    const fingerprint = await this.#fingerprint();
    const rows = await this.#store.all<{ definition: string }>(
      sql`SELECT "definition" FROM ${ident(COLLECTIONS_TABLE)} ORDER BY "created", "id"`,
    );
    if (ticket < this.#loaded.ticket) return;
    this.#loaded = { ticket, fingerprint };
    this.#replace(rows.map((row) => withStoredDefaults(JSON.parse(row.definition) as Collection)));
  }

  /** Changes whenever a definition is added, changed or deleted. */
  async #fingerprint(): Promise<string> {
    const row = await this.#store.first<{ n: unknown; u: unknown }>(
      sql`SELECT COUNT(*) AS "n", MAX("updated") AS "u" FROM ${ident(COLLECTIONS_TABLE)}`,
    );
    return `${row?.n}|${row?.u}`;
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

/** Creates the system tables that every process needs, or upgrades them. */
async function setUpSystemTables(executor: Executor): Promise<void> {
  await executor.exec(collectionsTableStatement());
  // Every record write appends to the change log, so it exists wherever records do.
  for (const statement of changeLogStatements(executor.dialect)) await executor.exec(statement);
  await upgradeChangeLog(executor);
}
