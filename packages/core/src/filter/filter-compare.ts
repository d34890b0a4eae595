import type { ComparisonOp } from './filter-ast.js';
import { containsPatternOf, matchLike, type LikePattern } from './filter-like.js';
import { compareCodePoints } from '../text/code-points.js';
import { INVALID, type Domain, type DomainValue, type ValueKind } from './filter-values.js';

/** A value on one side of a comparison: a domain value, or a pattern on the right of `~`. */
export type CompareValue = DomainValue | LikePattern;

/** `all`: every item must match (plain operators); `any`: one item is enough (`?` operators). */
export type Quantifier = 'all' | 'any';

/**
 * Compares two values in a domain: the JavaScript definition of every operator, which
 * the SQL compiler reproduces. INVALID makes `=`, `<`, `~`… false and `!=`, `!~` true.
 */
export function compareValues(domain: Domain, op: ComparisonOp, a: CompareValue, b: CompareValue): boolean {
  if (op === '!=') return !compareValues(domain, '=', a, b);
  if (op === '!~') return !compareValues(domain, '~', a, b);
  if (a === INVALID || b === INVALID) return false;
  if (domain === 'like') return typeof a === 'string' && isPattern(b) && matchLike(b, a);
  if (domain === 'json') return op === '=' ? jsonEqual(a, b) : jsonOrder(op, a, b);
  if (op === '=') return a === b;
  if (a === null || b === null || isPattern(a) || isPattern(b)) return false;
  return holds(op, domain === 'text' ? compareCodePoints(String(a), String(b)) : Number(a) - Number(b));
}

function isPattern(value: CompareValue): value is LikePattern {
  return typeof value === 'object' && value !== null;
}

/** JSON equality: null, missing and "" are all equal; otherwise same type and value. */
function jsonEqual(a: CompareValue, b: CompareValue): boolean {
  if (isNullish(a) && isNullish(b)) return true;
  return a !== null && !isPattern(a) && typeof a === typeof b && a === b;
}

function isNullish(value: CompareValue): boolean {
  return value === null || value === '';
}

/** JSON ordering: only two strings, two numbers or two booleans order. */
function jsonOrder(op: ComparisonOp, a: CompareValue, b: CompareValue): boolean {
  if (a === null || b === null || isPattern(a) || isPattern(b) || typeof a !== typeof b) return false;
  if (typeof a === 'string') return holds(op, compareCodePoints(a, b as string));
  return holds(op, Number(a) - Number(b));
}

function holds(op: ComparisonOp, order: number): boolean {
  switch (op) {
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    default:
      return false;
  }
}

/**
 * Applies a quantifier to a side's items. A single value is one item. With `all`, an
 * empty list counts as one null item (so `tags = ""` matches no tags); with `any`, an
 * empty list matches nothing.
 */
export function quantify<T>(items: readonly T[], mode: Quantifier, nullItem: T, test: (item: T) => boolean): boolean {
  if (mode === 'any') return items.some(test);
  return items.length === 0 ? test(nullItem) : items.every(test);
}

/**
 * A raw item of a path (see pathItems) in the comparison's domain: text defaults to "",
 * JSON objects and arrays become INVALID, and in `~` only JSON strings take part. On the
 * right of `~` a path's value is a literal substring (`pattern`).
 */
export function pathValueInDomain(kind: ValueKind, domain: Domain, raw: unknown, pattern: boolean): CompareValue {
  const value = plainValueInDomain(kind, domain, raw);
  if (!pattern) return value;
  return typeof value === 'string' ? containsPatternOf(value) : INVALID;
}

function plainValueInDomain(kind: ValueKind, domain: Domain, raw: unknown): CompareValue {
  if (kind === 'text') return typeof raw === 'string' ? raw : '';
  if (kind !== 'json') return raw === null || raw === undefined ? null : (raw as number | boolean);
  if (domain === 'like') return typeof raw === 'string' ? raw : INVALID;
  if (raw === null || raw === undefined) return null;
  return typeof raw === 'object' ? INVALID : (raw as string | number | boolean);
}
