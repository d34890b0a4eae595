import { ident, sql } from '../sql/sql.js';
import type { RecordDeps } from './record-deps.js';
import { listRecords, type ListPage, type ListParams } from './record-list.js';
import { viewRecord } from './record-view.js';
import { createRecord } from './record-create.js';
import { updateRecord } from './record-update.js';
import { deleteRecord } from './record-delete.js';
import type { RecordJson } from './record-codec.js';
import { viewRecordsByIds, viewRecordsReferencing } from './record-view-related.js';
import type { RequestContext } from './request-context.js';

/**
 * The record actions over one set of dependencies. RecordService exposes them over the
 * store; `RecordService.runInTransaction` hands out a set bound to one transaction.
 */
export interface RecordActions {
  list(collection: string, params: ListParams, request: RequestContext): Promise<ListPage<RecordJson>>;
  view(collection: string, id: string, params: { expand?: string }, request: RequestContext): Promise<RecordJson>;
  /**
   * `view` without `expand`, answered synchronously where it can be (a store that reads
   * synchronously, no hooks); undefined where only `view` can answer. Throws what `view`
   * rejects with.
   */
  viewNow?(collection: string, id: string, request: RequestContext): RecordJson | undefined;
  create(
    collection: string,
    body: Record<string, unknown>,
    params: { expand?: string },
    request: RequestContext,
  ): Promise<RecordJson>;
  update(
    collection: string,
    id: string,
    body: Record<string, unknown>,
    params: { expand?: string; replace?: boolean },
    request: RequestContext,
  ): Promise<RecordJson>;
  delete(collection: string, id: string, request: RequestContext): Promise<void>;
  /** The records with these ids the request may view (view rule, one statement); others are left out. */
  viewMany(collection: string, ids: readonly string[], request: RequestContext): Promise<RecordJson[]>;
  /** The records whose relation `field` points at any of `ids` and that the request may view (one statement). */
  viewReferencing(
    collection: string,
    field: string,
    ids: readonly string[],
    request: RequestContext,
  ): Promise<RecordJson[]>;
  /**
   * True when a record with this id exists, whatever the rules say (upsert decides
   * between update and create with it; the chosen action then applies its own rule).
   */
  exists(collection: string, id: string): Promise<boolean>;
}

/** The record actions over `deps`. */
export function recordActionsFor(deps: RecordDeps): RecordActions {
  return {
    list: (collection, params, request) => listRecords(deps, collection, params, request),
    view: (collection, id, params, request) => viewRecord(deps, collection, id, params, request),
    create: (collection, body, params, request) => createRecord(deps, collection, body, params, request),
    update: (collection, id, body, params, request) => updateRecord(deps, collection, id, body, params, request),
    delete: (collection, id, request) => deleteRecord(deps, collection, id, request),
    viewMany: (collection, ids, request) => viewRecordsByIds(deps, collection, ids, request),
    viewReferencing: (collection, field, ids, request) => viewRecordsReferencing(deps, collection, field, ids, request),
    async exists(collection, id) {
      const { name } = deps.collections.get(collection);
      return (await deps.store.first(sql`SELECT 1 AS "x" FROM ${ident(name)} WHERE "id" = ${id}`)) !== undefined;
    },
  };
}
