import type { RecordData } from '../schema/principal.js';
import type { Collection } from '../schema/collection.js';
import { ident, raw, sql, type Sql } from '../sql/sql.js';
import { slot, type SqlQuery } from '../store/query-template.js';
import type { Executor, SyncReadStore } from '../store/store.js';
import { RECORD_ALIAS, type RecordDeps } from './record-deps.js';

/** Reads the records of a collection that match a WHERE body over alias `_t`. */
export async function selectRecords(
  deps: RecordDeps,
  executor: Executor,
  collection: Collection,
  where: Sql,
  tail: Sql = sql``,
): Promise<RecordData[]> {
  const codec = deps.codec(collection);
  const rows = await executor.all(sql`${selectFrom(deps, collection)} WHERE ${where}${tail}`);
  return rows.map((row) => codec.fromRow(row));
}

/**
 * Reads one record by id under a rule condition (`bypass`: none), or undefined; `lock`
 * takes a row lock where the database needs one (dialect.rowLock). Without a condition the statement comes from the
 * collection's template cache: nothing is built or rendered per call.
 */
export async function selectRecordById(
  deps: RecordDeps,
  executor: Executor,
  collection: Collection,
  id: string,
  condition: Sql | 'bypass',
  lock = false,
): Promise<RecordData | undefined> {
  const row = await executor.first(byIdQuery(deps, executor, collection, id, condition, lock));
  return row && deps.codec(collection).fromRow(row);
}

/**
 * selectRecordById over a store that reads synchronously (Store.firstNow),
 * without a lock: the same statement, no promise.
 */
export function selectRecordByIdNow(
  deps: RecordDeps,
  store: SyncReadStore,
  collection: Collection,
  id: string,
  condition: Sql | 'bypass',
): RecordData | undefined {
  const row = store.firstNow(byIdQuery(deps, store, collection, id, condition, false));
  return row && deps.codec(collection).fromRow(row);
}

function byIdQuery(
  deps: RecordDeps,
  executor: Executor,
  collection: Collection,
  id: string,
  condition: Sql | 'bypass',
  lock: boolean,
): SqlQuery {
  const forUpdate = lock && executor.dialect.rowLock !== '';
  return condition === 'bypass'
    ? byIdTemplate(deps, collection, forUpdate).bind([id])
    : sql`${selectFrom(deps, collection)} WHERE ${ident(RECORD_ALIAS)}."id" = ${id} AND (${condition})${raw(forUpdate ? executor.dialect.rowLock : '')}`;
}

function byIdTemplate(deps: RecordDeps, collection: Collection, forUpdate: boolean) {
  return deps.template(
    collection,
    forUpdate ? 'byId+lock' : 'byId',
    () =>
      sql`${selectFrom(deps, collection)} WHERE ${ident(RECORD_ALIAS)}."id" = ${slot(0)}${raw(forUpdate ? deps.store.dialect.rowLock : '')}`,
  );
}

/** `SELECT <every column> FROM <table> AS _t`. */
function selectFrom(deps: RecordDeps, collection: Collection): Sql {
  return sql`SELECT ${deps.codec(collection).selectColumns(RECORD_ALIAS)} FROM ${ident(collection.name)} AS ${ident(RECORD_ALIAS)}`;
}
