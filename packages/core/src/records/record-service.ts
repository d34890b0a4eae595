import type { CollectionService } from '../collections/collection-service.js';
import type { Store } from '../store/store.js';
import { storeOverTransaction } from '../store/transaction-store.js';
import { timedStore } from '../store/timed-store.js';
import { createRecordDeps, type RecordDeps } from './record-deps.js';
import { viewRecordsByIds, viewRecordsReferencing } from './record-view-related.js';
import { recordActionsFor, type RecordActions } from './record-actions.js';
import { truncateRecords } from './record-truncate.js';
import { listRecords, type ListPage, type ListParams } from './record-list.js';
import { viewRecord, viewRecordNow } from './record-view.js';
import { readsSynchronously } from '../store/store.js';
import { createRecord } from './record-create.js';
import { updateRecord } from './record-update.js';
import { deleteRecord } from './record-delete.js';
import type { RecordJson } from './record-codec.js';
import type { RequestContext } from './request-context.js';
import type { FileStorage } from '../files/file-storage.js';
import { withFileEffects } from './record-file-effects.js';
import { readRecordFile, type FileDownload, type FileRequest } from './record-file-read.js';
import type { ThumbOptions } from './record-file-thumbs.js';
import type { Thumbnailer } from '../files/file-thumbs.js';
import { sweepOrphanFiles } from './record-file-sweep.js';
import { RecordHooks } from './record-hooks.js';
import { hookedRecordActions } from './record-hooked-actions.js';
import { revocableExecutor } from './record-transaction.js';

/** The file storage of record writes and downloads, and how thumbnails are made. */
export interface RecordFileOptions {
  readonly storage: FileStorage;
  /** Makes thumbnails; without it `?thumb=` serves the original. */
  readonly thumbnailer?: Thumbnailer;
  /** The largest original a thumbnail is made of (50 MiB when absent). */
  readonly maxThumbSourceBytes?: number;
}

/**
 * The record actions every transport calls: REST today, and the WebSocket, GraphQL,
 * gRPC and batch paths later. Rules are enforced here, never in a transport.
 */
export class RecordService implements RecordActions {
  readonly #deps: RecordDeps;

  readonly #thumbs: ThumbOptions;

  /** The record hooks (server hooks register here); with none, the actions run exactly as without hooks. */
  readonly hooks = new RecordHooks();

  constructor(store: Store, collections: CollectionService, now?: () => Date, files?: RecordFileOptions) {
    this.#deps = createRecordDeps(store, collections, now, files?.storage);
    this.#thumbs = {
      thumbnailer: files?.thumbnailer,
      maxOriginalBytes: files?.maxThumbSourceBytes ?? 50 * 1024 * 1024,
    };
  }

  /** Where files are stored, for the orphan sweep and backups; undefined without file storage. */
  get fileStorage(): FileStorage | undefined {
    return this.#deps.files;
  }

  /** A record's file (or its thumbnail) for a download, under the record's view rule (see readRecordFile). */
  file(file: FileRequest, request: RequestContext): Promise<FileDownload> {
    return readRecordFile(this.#depsFor(request), this.#thumbs, file, request);
  }

  /** Deletes stored files no record holds any more (see sweepOrphanFiles). */
  sweepOrphanFiles(olderThanMs?: number): Promise<number> {
    return sweepOrphanFiles(this.#deps, olderThanMs);
  }

  /** The dependencies of one request: its store calls timed into the request's timing when it has one. */
  #depsFor(request: RequestContext): RecordDeps {
    return request.timing ? { ...this.#deps, store: timedStore(this.#deps.store, request.timing) } : this.#deps;
  }

  /** The record actions of one request with the hooks around them (see hookedRecordActions). */
  #hooked(request: RequestContext): RecordActions {
    return hookedRecordActions({
      hooks: this.hooks,
      inner: recordActionsFor(this.#depsFor(request)),
      nameOf: (collection) => this.#deps.collections.get(collection).name,
      write: (work) => this.#transaction(work),
      afterCommit: (run) => run(),
    });
  }

  /** A page of the records the request may list. */
  list(collection: string, params: ListParams, request: RequestContext): Promise<ListPage<RecordJson>> {
    if (!this.hooks.empty) return this.#hooked(request).list(collection, params, request);
    return listRecords(this.#depsFor(request), collection, params, request);
  }

  /** One record the request may view (404 otherwise). */
  view(collection: string, id: string, params: { expand?: string }, request: RequestContext): Promise<RecordJson> {
    if (!this.hooks.empty) return this.#hooked(request).view(collection, id, params, request);
    return viewRecord(this.#depsFor(request), collection, id, params, request);
  }

  /** `view` without `expand` and without a promise, when the store reads synchronously and no hook runs (RecordActions.viewNow). */
  viewNow(collection: string, id: string, request: RequestContext): RecordJson | undefined {
    // NB: asked before the request's deps are made: on PostgreSQL they would go unused.
    if (!this.hooks.empty || !readsSynchronously(this.#deps.store)) return undefined;
    return viewRecordNow(this.#depsFor(request), collection, id, request);
  }

  /** Creates a record (200 in REST, as PocketBase). */
  create(
    collection: string,
    body: Record<string, unknown>,
    params: { expand?: string },
    request: RequestContext,
  ): Promise<RecordJson> {
    if (!this.hooks.empty) return this.#hooked(request).create(collection, body, params, request);
    return createRecord(this.#depsFor(request), collection, body, params, request);
  }

  /** Updates (PATCH) or replaces (PUT) a record. */
  update(
    collection: string,
    id: string,
    body: Record<string, unknown>,
    params: { expand?: string; replace?: boolean },
    request: RequestContext,
  ): Promise<RecordJson> {
    if (!this.hooks.empty) return this.#hooked(request).update(collection, id, body, params, request);
    return updateRecord(this.#depsFor(request), collection, id, body, params, request);
  }

  /** Deletes a record, settling relations that point at it. */
  delete(collection: string, id: string, request: RequestContext): Promise<void> {
    if (!this.hooks.empty) return this.#hooked(request).delete(collection, id, request);
    return deleteRecord(this.#depsFor(request), collection, id, request);
  }

  /** The records with these ids the request may view, in one read (see viewRecordsByIds). */
  viewMany(collection: string, ids: readonly string[], request: RequestContext): Promise<RecordJson[]> {
    return viewRecordsByIds(this.#deps, collection, ids, request);
  }

  /** The records whose relation `field` points at any of `ids` that the request may view, in one read. */
  viewReferencing(
    collection: string,
    field: string,
    ids: readonly string[],
    request: RequestContext,
  ): Promise<RecordJson[]> {
    return viewRecordsReferencing(this.#deps, collection, field, ids, request);
  }

  /** True when a record with this id exists, whatever the rules say (see RecordActions.exists). */
  exists(collection: string, id: string): Promise<boolean> {
    return recordActionsFor(this.#deps).exists(collection, id);
  }

  /** Deletes every record of a collection (superusers only), settling references elsewhere. */
  truncate(collection: string, request: RequestContext): Promise<void> {
    return truncateRecords(this.#depsFor(request), collection, request);
  }

  /**
   * Runs several record actions in one transaction: `work` gets actions whose reads see
   * the earlier writes and whose own transactions join this one. It commits when `work`
   * resolves and rolls everything back when it throws.
   * @example await records.runInTransaction(async (tx) => { await tx.create('posts', a, {}, req); await tx.delete('posts', id, req); })
   */
  async runInTransaction<T>(work: (records: RecordActions) => Promise<T>): Promise<T> {
    if (this.hooks.empty) return this.#transaction(work);
    // The after-commit hooks of the transaction's writes run once it committed.
    const committed: Array<() => Promise<void>> = [];
    const result = await this.#transaction((inner) =>
      work(
        hookedRecordActions({
          hooks: this.hooks,
          inner,
          nameOf: (collection) => this.#deps.collections.get(collection).name,
          write: (write) => write(inner),
          afterCommit: async (run) => void committed.push(run),
        }),
      ),
    );
    for (const run of committed) await run();
    return result;
  }

  /** Runs `work` over record actions (without hooks) bound to one transaction. */
  #transaction<T>(work: (records: RecordActions) => Promise<T>): Promise<T> {
    // One set of file effects for the whole batch: obsolete files go after its one commit.
    return withFileEffects(this.#deps, (deps) =>
      deps.store.transaction(async (tx) => {
        // Nothing may use the transaction once `work` settled (a timed-out hook may still be running).
        const guarded = revocableExecutor(tx);
        try {
          return await work(recordActionsFor({ ...deps, store: storeOverTransaction(guarded.tx) }));
        } finally {
          guarded.revoke();
        }
      }),
    );
  }
}
