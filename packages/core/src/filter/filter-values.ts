/**
 * The value model shared by the SQL compiler and the in-memory evaluator: constant
 * kinds, the comparison domains and how constants convert into them. Keeping these
 * rules in one place is what makes SQLite, PostgreSQL and JavaScript agree.
 */
import { isCleanText } from '../text/code-points.js';

/** The kind of value a field path yields (list items are text). */
export type ValueKind = 'text' | 'number' | 'bool' | 'json';

/**
 * The domain a comparison is carried out in. `like` is `~`/`!~`: text subjects and
 * patterns, where JSON values take part only when they are strings.
 */
export type Domain = ValueKind | 'like';

/**
 * A value known before any row is read: a literal, a datetime macro or a request value.
 * `opaque` stands for objects, nested arrays and text no database stores (NUL, lone
 * surrogates): it equals nothing, orders with nothing and matches no pattern.
 */
export type Const =
  | { readonly kind: 'null' }
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number; readonly text: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'opaque' };

/** A value that cannot take part in a comparison: `=`, `<`, `~`… give false, `!=`, `!~` true. */
export const INVALID: unique symbol = Symbol('invalid');
/** See INVALID. */
export type Invalid = typeof INVALID;

/** A JSON scalar as the json domain compares it (objects and arrays become INVALID). */
export type JsonScalar = string | number | boolean | null;

/** A value in its comparison domain. */
export type DomainValue = string | number | boolean | null | Invalid;

const NUMERIC_TEXT = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const NULL_CONST: Const = { kind: 'null' };

/** The null constant. */
export function nullConst(): Const {
  return NULL_CONST;
}

/** Converts a runtime JS value (request data, auth record fields) into constants. */
export function constOf(value: unknown): Const {
  if (value === null || value === undefined) return NULL_CONST;
  if (typeof value === 'string') return isCleanText(value) ? { kind: 'text', value } : { kind: 'opaque' };
  if (typeof value === 'boolean') return { kind: 'bool', value };
  if (typeof value === 'number')
    return Number.isFinite(value) ? { kind: 'number', value, text: String(value) } : NULL_CONST;
  return { kind: 'opaque' };
}

/** Converts a constant into a domain, following the rules in docs/filter.md. */
export function toDomain(domain: Domain, value: Const): DomainValue {
  if (value.kind === 'opaque') return INVALID;
  switch (domain) {
    case 'text':
    case 'like':
      return toText(value);
    case 'number':
      return toNumber(value);
    case 'bool':
      return toBool(value);
    case 'json':
      return value.kind === 'null' ? null : value.value;
  }
}

function toText(value: Exclude<Const, { kind: 'opaque' }>): string {
  if (value.kind === 'null') return '';
  if (value.kind === 'number') return value.text;
  return String(value.value);
}

function toNumber(value: Exclude<Const, { kind: 'opaque' }>): number | null | Invalid {
  if (value.kind === 'null') return null;
  if (value.kind === 'number') return value.value;
  if (value.kind === 'bool') return value.value ? 1 : 0;
  if (value.value === '') return null;
  if (!NUMERIC_TEXT.test(value.value)) return INVALID;
  const number = Number(value.value);
  return Number.isFinite(number) ? number : INVALID;
}

function toBool(value: Exclude<Const, { kind: 'opaque' }>): boolean | null | Invalid {
  if (value.kind === 'null') return null;
  if (value.kind === 'bool') return value.value;
  if (value.kind === 'number') return value.value === 1 ? true : value.value === 0 ? false : INVALID;
  if (value.value === '') return null;
  if (value.value === 'true' || value.value === '1') return true;
  if (value.value === 'false' || value.value === '0') return false;
  return INVALID;
}

/** The domain two constants compare in: the first non-null side's kind. */
export function constDomain(left: Const, right: Const, like: boolean): Domain {
  if (like) return 'like';
  const leader = left.kind === 'null' ? right : left;
  if (leader.kind === 'null' || leader.kind === 'text' || leader.kind === 'opaque') return 'text';
  return leader.kind;
}

/** Lowercases the ASCII letters of a text constant (and of nothing else). */
export function mapConstText(value: Const, fold: (text: string) => string): Const {
  return value.kind === 'text' ? { kind: 'text', value: fold(value.value) } : value;
}
