import type { RecordData } from '../schema/principal.js';
import type { Collection } from '../schema/collection.js';
import { ident, raw, sql, type Sql } from '../sql/sql.js';
import { slot } from '../store/query-template.js';
import type { Executor } from '../store/store.js';
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
  const forUpdate = lock && executor.dialect.rowLock !== '';
  const row =
    condition === 'bypass'
      ? await executor.first(byIdTemplate(deps, collection, forUpdate).bind([id]))
      : await executor.first(
          sql`${selectFrom(deps, collection)} WHERE ${ident(RECORD_ALIAS)}."id" = ${id} AND (${condition})${raw(forUpdate ? executor.dialect.rowLock : '')}`,
        );
  return row && deps.codec(collection).fromRow(row);
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
