/**
 * The filter language's syntax tree. `parseFilter` returns deeply frozen trees, so one
 * tree can be cached and shared by every request that uses the same filter text.
 * Positions count UTF-16 code units from 1, like the error messages.
 */

/** A comparison operator, without its `?` (any-item) prefix. */
export type ComparisonOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~';

/** Every comparison operator, for tests and generators. */
export const COMPARISON_OPS: readonly ComparisonOp[] = ['=', '!=', '>', '>=', '<', '<=', '~', '!~'];

/** A field or macro modifier: `:lower`, `:length`, `:each`, `:isset`, `:changed`. */
export type Modifier = 'lower' | 'length' | 'each' | 'isset' | 'changed';

/** The datetime macros, all computed in UTC from the context's `now`. */
export type DatetimeMacro =
  | 'now'
  | 'second'
  | 'minute'
  | 'hour'
  | 'weekday'
  | 'day'
  | 'month'
  | 'year'
  | 'yesterday'
  | 'tomorrow'
  | 'todayStart'
  | 'todayEnd'
  | 'monthStart'
  | 'monthEnd'
  | 'yearStart'
  | 'yearEnd';

/** The parts of the request a rule can read through `@request.<scope>`. */
export type RequestScope = 'auth' | 'body' | 'query' | 'headers' | 'method' | 'context';

/** A quoted string literal (the quote escapes already removed). */
export interface TextLiteral {
  readonly type: 'text';
  readonly value: string;
  readonly position: number;
}

/** A number literal; `raw` is its source text, used when it is compared as text. */
export interface NumberLiteral {
  readonly type: 'number';
  readonly value: number;
  readonly raw: string;
  readonly position: number;
}

/** `true` or `false`. */
export interface BoolLiteral {
  readonly type: 'bool';
  readonly value: boolean;
  readonly position: number;
}

/** `null`. */
export interface NullLiteral {
  readonly type: 'null';
  readonly position: number;
}

/** A field path of the filtered collection: `title`, `author.name`, `data.a.0`. */
export interface FieldOperand {
  readonly type: 'field';
  readonly path: readonly string[];
  readonly modifier: Modifier | null;
  readonly raw: string;
  readonly position: number;
}

/** A datetime macro such as `@now` or `@todayStart`. */
export interface DatetimeOperand {
  readonly type: 'datetime';
  readonly name: DatetimeMacro;
  readonly raw: string;
  readonly position: number;
}

/** `@request.<scope>.<path>`: a value of the current request, bound as a parameter. */
export interface RequestOperand {
  readonly type: 'request';
  readonly scope: RequestScope;
  readonly path: readonly string[];
  readonly modifier: Modifier | null;
  readonly raw: string;
  readonly position: number;
}

/**
 * `@collection.<nameOrId>[:alias].<field path>`: the rows of any collection. `alias` is
 * null without `:alias`; references with the same collection and alias share one row
 * in `?` comparisons (see docs/filter.md).
 */
export interface CollectionOperand {
  readonly type: 'collection';
  readonly collection: string;
  readonly alias: string | null;
  readonly path: readonly string[];
  readonly modifier: Modifier | null;
  readonly raw: string;
  readonly position: number;
}

/** The filter functions Tandem knows (PocketBase's `geoDistance`). */
export type FilterFunctionName = 'geoDistance';

/**
 * `geoDistance(lonA, latA, lonB, latB)`: the great-circle distance in kilometres. Each
 * argument is a number, `null`, a field path or a `@request` value (never a function).
 */
export interface FunctionOperand {
  readonly type: 'function';
  readonly name: FilterFunctionName;
  readonly args: readonly FilterOperand[];
  readonly raw: string;
  readonly position: number;
}

/** Anything that can stand on either side of a comparison. */
export type FilterOperand =
  | TextLiteral
  | NumberLiteral
  | BoolLiteral
  | NullLiteral
  | FieldOperand
  | DatetimeOperand
  | RequestOperand
  | CollectionOperand
  | FunctionOperand;

/** `left op right`; `any` is true for the `?` variants (`?=`, `?~`, …). */
export interface FilterComparison {
  readonly type: 'comparison';
  readonly op: ComparisonOp;
  readonly any: boolean;
  readonly left: FilterOperand;
  readonly right: FilterOperand;
  readonly position: number;
}

/** Two or more expressions joined by `&&` (and) or `||` (or). */
export interface FilterJoin {
  readonly type: 'and' | 'or';
  readonly items: readonly FilterNode[];
}

/** A parsed filter expression. */
export type FilterNode = FilterComparison | FilterJoin;
