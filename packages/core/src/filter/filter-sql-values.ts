import { raw, sql, type Sql } from '../sql/sql.js';
import { andSql, notSql, orSql, type BoolSql } from '../sql/bool-sql.js';
import type { FilterDialect, JsonParts, OrderOp } from '../store/filter-sql-dialect.js';
import type { ComparisonOp } from './filter-ast.js';
import { compareValues, type CompareValue } from './filter-compare.js';
import { renderLikePattern } from './filter-like.js';
import { INVALID, type Domain, type ValueKind } from './filter-values.js';

/**
 * One operand item as SQL in a comparison domain. `scalar` is text (never NULL), a number
 * or a boolean (NULL for a missing value); `like` is text that takes part in `~` only
 * when `ok`; `pattern` is a rendered LIKE pattern; `invalid` matches nothing.
 */
export type SqlValue = (
  | { readonly type: 'invalid' }
  | { readonly type: 'scalar'; readonly sql: Sql }
  | { readonly type: 'json'; readonly parts: JsonParts }
  | { readonly type: 'like'; readonly ok: BoolSql; readonly text: Sql }
  | { readonly type: 'pattern'; readonly sql: Sql }
) & {
  /** Set on constants: two constants compare in JavaScript, at compile time. */
  readonly constant?: { readonly value: CompareValue };
};

const NOTHING = raw('NULL');
const NO_JSON = {
  nullish: false,
  isText: false,
  text: NOTHING,
  isNumber: false,
  num: NOTHING,
  isBool: false,
  bool: NOTHING,
} as const;

/** A constant (already in its domain, see planComparison) as a bound, typed parameter. */
export function constSqlValue(d: FilterDialect, domain: Domain, value: CompareValue): SqlValue {
  return { ...constSqlShape(d, domain, value), constant: { value } };
}

function constSqlShape(d: FilterDialect, domain: Domain, value: CompareValue): SqlValue {
  if (value === INVALID) return { type: 'invalid' };
  if (typeof value === 'object' && value !== null)
    return { type: 'pattern', sql: d.textParam(renderLikePattern(value)) };
  switch (domain) {
    case 'text':
      return { type: 'scalar', sql: d.textParam(value as string) };
    case 'like':
      return { type: 'like', ok: true, text: d.textParam(value as string) };
    case 'number':
      return { type: 'scalar', sql: d.numberParam(value as number | null) };
    case 'bool':
      return { type: 'scalar', sql: d.boolParam(value as boolean | null) };
    case 'json':
      return { type: 'json', parts: constJsonParts(d, value) };
  }
}

function constJsonParts(d: FilterDialect, value: string | number | boolean | null): JsonParts {
  if (value === null) return { ...NO_JSON, nullish: true };
  if (typeof value === 'string') return { ...NO_JSON, nullish: value === '', isText: true, text: d.textParam(value) };
  if (typeof value === 'number') return { ...NO_JSON, isNumber: true, num: d.numberParam(value) };
  return { ...NO_JSON, isBool: true, bool: d.boolParam(value) };
}

/**
 * A path's SQL expression in a domain; mirrors pathValueInDomain. `nullable` when the
 * expression can be NULL (relation paths): text then reads as "".
 */
export function pathSqlValue(
  d: FilterDialect,
  kind: ValueKind,
  domain: Domain,
  expression: Sql,
  lower: boolean,
  nullable: boolean,
): SqlValue {
  if (kind === 'text') {
    const text = nullable ? sql`COALESCE(${expression}, '')` : expression;
    const folded = lower ? d.foldAscii(text) : text;
    if (domain === 'json')
      return { type: 'json', parts: { ...NO_JSON, nullish: sql`${folded} = ''`, isText: true, text: folded } };
    return domain === 'like' ? { type: 'like', ok: true, text: folded } : { type: 'scalar', sql: folded };
  }
  if (kind !== 'json') {
    if (domain !== 'json') return { type: 'scalar', sql: expression };
    const flags = { nullish: sql`${expression} IS NULL`, present: sql`${expression} IS NOT NULL` };
    return {
      type: 'json',
      parts:
        kind === 'number'
          ? { ...NO_JSON, nullish: flags.nullish, isNumber: flags.present, num: expression }
          : { ...NO_JSON, nullish: flags.nullish, isBool: flags.present, bool: expression },
    };
  }
  const parts = d.jsonParts(expression);
  const text = lower ? d.foldAscii(parts.text) : parts.text;
  return domain === 'like' ? { type: 'like', ok: parts.isText, text } : { type: 'json', parts: { ...parts, text } };
}

/** SQL for one comparison of two items; mirrors compareValues. Never NULL. */
export function compareSql(d: FilterDialect, domain: Domain, op: ComparisonOp, a: SqlValue, b: SqlValue): BoolSql {
  if (op === '!=') return notSql(compareSql(d, domain, '=', a, b));
  if (op === '!~') return notSql(compareSql(d, domain, '~', a, b));
  if (a.constant && b.constant) return compareValues(domain, op, a.constant.value, b.constant.value);
  if (a.type === 'invalid' || b.type === 'invalid') return false;
  if (a.type === 'like' && (b.type === 'pattern' || b.type === 'like')) return likeSql(d, a, b);
  if (a.type === 'json' && b.type === 'json')
    return op === '=' ? jsonEqualSql(a.parts, b.parts) : jsonOrderSql(d, op as OrderOp, a.parts, b.parts);
  if (a.type !== 'scalar' || b.type !== 'scalar')
    throw new Error(`filter compiler bug: cannot compare ${a.type} with ${b.type} in ${domain}`);
  const left = a.sql;
  const right = b.sql;
  if (domain === 'text') return op === '=' ? sql`${left} = ${right}` : d.textOrder(left, op as OrderOp, right);
  if (op === '=') return d.nullSafeEqual(left, right);
  return sql`COALESCE(${left} ${raw(op)} ${right}, FALSE)`;
}

function likeSql(
  d: FilterDialect,
  subject: SqlValue & { type: 'like' },
  pattern: SqlValue & { type: 'pattern' | 'like' },
): BoolSql {
  if (pattern.type === 'pattern') return andSql(subject.ok, d.like(subject.text, pattern.sql));
  return andSql(subject.ok, pattern.ok, d.like(subject.text, containsPatternSql(d, pattern.text)));
}

/** A text used as a literal substring pattern: every `\`, `%` and `_` escaped. */
function containsPatternSql(d: FilterDialect, text: Sql): Sql {
  return sql`('%' || replace(replace(replace(${d.foldAscii(text)}, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')`;
}

function jsonEqualSql(p: JsonParts, q: JsonParts): BoolSql {
  return orSql(
    andSql(p.nullish, q.nullish),
    andSql(p.isText, q.isText, sql`${p.text} = ${q.text}`),
    andSql(p.isNumber, q.isNumber, sql`${p.num} = ${q.num}`),
    andSql(p.isBool, q.isBool, sql`${p.bool} = ${q.bool}`),
  );
}

function jsonOrderSql(d: FilterDialect, op: OrderOp, p: JsonParts, q: JsonParts): BoolSql {
  return orSql(
    andSql(p.isText, q.isText, d.textOrder(p.text, op, q.text)),
    andSql(p.isNumber, q.isNumber, sql`${p.num} ${raw(op)} ${q.num}`),
    andSql(p.isBool, q.isBool, sql`${p.bool} ${raw(op)} ${q.bool}`),
  );
}
