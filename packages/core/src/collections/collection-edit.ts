import { AppError } from '../errors/app-error.js';
import type { Executor } from '../store/store.js';
import type { Collection } from '../schema/collection.js';
import { normalizeCollection } from '../schema/collection-validate.js';
import { schemaViewOf, type SchemaView } from '../schema/schema-view.js';
import { planImport, type ImportStep } from './collection-import.js';
import { prepareImport } from './pocketbase-import.js';
import {
  alterCollection,
  assertRules,
  assertUnreferenced,
  dropCollection,
  insertCollection,
  named,
  withCollection,
} from './collection-writes.js';

/** One settled schema change: a collection created (no `before`), changed, or deleted (no `after`). */
export interface SchemaChange {
  readonly before?: Collection;
  readonly after?: Collection;
}

/** The outcome of an import: which collections were created, updated or left alone. */
export interface ImportResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  deleted: string[];
  /** What the import did differently from the file, one sentence each (PocketBase system collections, upgrades). */
  notices: string[];
}

/** How an import runs. */
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
 * Schema changes inside one open transaction. Each change sees the ones before it (a
 * migration may create a collection and then relate another one to it), and every
 * settled change is kept in `changes`, in order, for whoever records them.
 */
export class CollectionEdit implements SchemaView {
  /** The open transaction: statements of a migration run on it beside the schema changes. */
  readonly tx: Executor;
  readonly changes: SchemaChange[] = [];
  #all: Collection[];

  constructor(tx: Executor, current: readonly Collection[]) {
    this.tx = tx;
    this.#all = [...current];
  }

  find(idOrName: string): Collection | undefined {
    const lower = idOrName.toLowerCase();
    return (
      this.#all.find((c) => c.id === idOrName) ??
      this.#all.find((c) => c.name === idOrName) ??
      this.#all.find((c) => c.name.toLowerCase() === lower)
    );
  }

  all(): readonly Collection[] {
    return this.#all;
  }

  /** Creates a collection and its table. */
  async create(input: unknown): Promise<Collection> {
    const collection = normalizeCollection(input, undefined, this);
    assertRules(collection, withCollection(this, collection), this.tx.dialect);
    const stored = await insertCollection(this.tx, collection, this);
    this.#settle(undefined, stored);
    return stored;
  }

  /** Changes a collection; its table follows. */
  async update(idOrName: string, input: unknown): Promise<Collection> {
    const before = this.#get(idOrName);
    const after = normalizeCollection(input, before, this);
    assertRules(after, withCollection(this, after), this.tx.dialect);
    const stored = await alterCollection(this.tx, before, after, this);
    this.#settle(before, stored);
    return stored;
  }

  /** Deletes a collection and its table, unless it is a system collection or another collection still relates to it. */
  async delete(idOrName: string): Promise<void> {
    const collection = this.#get(idOrName);
    if (collection.system) throw new AppError('COLLECTION_SYSTEM_PROTECTED');
    assertUnreferenced(collection, new Set([collection.id]), this.#all);
    await dropCollection(this.tx, collection);
    this.#settle(collection, undefined);
  }

  /**
   * Imports collections from a PocketBase export of any version from 0.22 on (see
   * prepareImport). Every collection is checked before anything changes (fields, rules,
   * indexes, relations, what `deleteMissing` would remove). A collection whose
   * definition is unchanged is left alone, so importing the same file twice changes nothing.
   */
  async import(inputs: unknown[], options: ImportOptions = {}): Promise<ImportResult> {
    const prepared = prepareImport(inputs);
    const result: ImportResult = { created: [], updated: [], unchanged: [], deleted: [], notices: prepared.notices };
    const steps = planImport(this, prepared.collections);
    const keep = new Set(steps.flatMap((s) => [s.before?.id, s.after.id]));
    const missing = options.deleteMissing ? this.#all.filter((c) => !keep.has(c.id) && !c.system) : [];
    const afterwards = schemaAfter(this.#all, steps, missing);
    for (const collection of missing)
      assertUnreferenced(collection, new Set(missing.map((c) => c.id)), afterwards.all());
    steps.forEach(({ after }, index) => assertRules(after, afterwards, this.tx.dialect, index));
    const total = steps.length + missing.length;
    let done = 0;
    const settled = () => options.onProgress?.(++done, total);
    // Views last: their queries read the tables the same import creates.
    for (const { before, after } of [...steps].sort((a, b) => viewLast(a.after) - viewLast(b.after))) {
      if (before === after) result.unchanged.push(after.name);
      else {
        const stored = await named(after, () =>
          before ? alterCollection(this.tx, before, after, afterwards) : insertCollection(this.tx, after, afterwards),
        );
        this.#settle(before, stored);
        (before ? result.updated : result.created).push(after.name);
      }
      settled();
    }
    for (const collection of missing) {
      await dropCollection(this.tx, collection);
      this.#settle(collection, undefined);
      result.deleted.push(collection.name);
      settled();
    }
    return result;
  }

  #get(idOrName: string): Collection {
    const found = this.find(idOrName);
    if (!found) throw new AppError('COLLECTION_NOT_FOUND');
    return found;
  }

  /** Keeps the working schema and the list of changes up to date. */
  #settle(before: Collection | undefined, after: Collection | undefined): void {
    this.#all = this.#all.filter((c) => c.id !== before?.id && c.id !== after?.id);
    if (after) this.#all.push(after);
    this.changes.push({ before, after });
  }
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

function viewLast(collection: Collection): number {
  return collection.type === 'view' ? 1 : 0;
}
