import type { RecordData } from '../auth/principal.js';
import type { Collection } from '../schema/collection.js';
import { ident, sql, type Sql } from '../sql/sql.js';
import type { Executor } from '../store/store.js';
import { RECORD_ALIAS, type RecordDeps } from './record-deps.js';

/** Reads the records of a collection that match a WHERE body over alias `_t`. */
export async function selectRecords(deps: RecordDeps, executor: Executor, collection: Collection, where: Sql, tail: Sql = sql``): Promise<RecordData[]> {
  const codec = deps.codec(collection);
  const rows = await executor.all(sql`SELECT ${codec.selectColumns(RECORD_ALIAS)} FROM ${ident(collection.name)} AS ${ident(RECORD_ALIAS)} WHERE ${where}${tail}`);
  return rows.map((row) => codec.fromRow(row));
}

/** Reads one record by id under an extra condition, or undefined. */
export async function selectRecordById(deps: RecordDeps, executor: Executor, collection: Collection, id: string, condition: Sql, lock = false): Promise<RecordData | undefined> {
  const forUpdate = lock && executor.dialect.name === 'postgres' ? sql` FOR UPDATE` : sql``;
  const where = sql`${ident(RECORD_ALIAS)}."id" = ${id} AND ${condition}`;
  const [record] = await selectRecords(deps, executor, collection, where, sql` LIMIT 1${forUpdate}`);
  return record;
}
