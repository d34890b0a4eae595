import { join, raw, sql, type Sql } from './sql.js';

/**
 * A boolean SQL condition, or a constant the compiler already knows. Every condition the
 * filter compiler builds is two-valued (never NULL), so NOT is always safe.
 */
export type BoolSql = Sql | boolean;

/** AND of conditions, dropping TRUE and collapsing to FALSE early. */
export function andSql(...parts: BoolSql[]): BoolSql {
  if (parts.includes(false)) return false;
  const rest = parts.filter((p): p is Sql => p !== true);
  if (rest.length === 0) return true;
  return rest.length === 1 ? rest[0]! : sql`(${join(rest, ' AND ')})`;
}

/** OR of conditions, dropping FALSE and collapsing to TRUE early. */
export function orSql(...parts: BoolSql[]): BoolSql {
  if (parts.includes(true)) return true;
  const rest = parts.filter((p): p is Sql => p !== false);
  if (rest.length === 0) return false;
  return rest.length === 1 ? rest[0]! : sql`(${join(rest, ' OR ')})`;
}

/** NOT of a condition. */
export function notSql(part: BoolSql): BoolSql {
  return typeof part === 'boolean' ? !part : sql`(NOT ${part})`;
}

/** `CASE WHEN c THEN a ELSE b END`, folded when the parts are constants. */
export function caseSql(condition: BoolSql, then: BoolSql, otherwise: BoolSql): BoolSql {
  if (typeof condition === 'boolean') return condition ? then : otherwise;
  if (then === otherwise) return then;
  return sql`(CASE WHEN ${condition} THEN ${toSql(then)} ELSE ${toSql(otherwise)} END)`;
}

/** The condition as SQL: constants become TRUE / FALSE (both databases know them). */
export function toSql(part: BoolSql): Sql {
  if (part === true) return raw('TRUE');
  if (part === false) return raw('FALSE');
  return part;
}
