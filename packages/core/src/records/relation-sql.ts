import type { Dialect } from '../store/dialect.js';
import { join, param, sql, type Sql } from '../sql/sql.js';

/** A condition: the JSON-array column holds at least one of `values`. */
export function jsonArrayContainsAny(dialect: Dialect, column: Sql, values: readonly string[]): Sql {
  const list = join(values.map(param));
  return sql`EXISTS (SELECT 1 FROM ${dialect.filter.listItems(column, '_je')} WHERE "_je"."value" IN (${list}))`;
}
