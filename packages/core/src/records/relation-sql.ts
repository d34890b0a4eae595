import type { Dialect } from '../store/dialect.js';
import { join, param, sql, type Sql } from '../sql/sql.js';

/** A condition: the JSON-array column holds at least one of `values`. */
export function jsonArrayContainsAny(dialect: Dialect, column: Sql, values: readonly string[]): Sql {
  const list = join(values.map(param));
  if (dialect.name === 'postgres') return sql`EXISTS (SELECT 1 FROM jsonb_array_elements_text(${column}) AS "_je"("value") WHERE "_je"."value" IN (${list}))`;
  return sql`EXISTS (SELECT 1 FROM json_each(${column}) AS "_je" WHERE "_je"."value" IN (${list}))`;
}
