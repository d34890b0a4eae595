import type { Collection } from '../schema/collection.js';
import type { SchemaView } from '../schema/schema-view.js';
import type { Dialect } from '../store/dialect.js';
import type { Row } from '../store/store.js';
import type { Sql } from '../sql/sql.js';

/** The authenticated record as rules see it through `@request.auth.*`. */
export type RequestAuth = Record<string, unknown> & { id: string; collectionId: string; collectionName: string };

/**
 * A request's headers as its transport has them: HTTP's as Node parses them (a list for
 * a header sent more than once), or names already lowercased with `-` turned into `_`.
 */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The request values a filter can read through `@request.*`. Header names may be given
 * in any case; they are matched lowercased with `-` turned into `_`, a list joined with
 * `, ` (see ruleHeaders).
 */
export interface RequestInfo {
  auth: RequestAuth | null;
  body: Record<string, unknown>;
  query: Record<string, string>;
  headers: RequestHeaders;
  method: string;
  context: string;
}

/** What both the SQL compiler and the in-memory evaluator need to know. */
export interface FilterScope {
  readonly schema: SchemaView;
  /** The collection whose records are filtered. */
  readonly collection: Collection;
  readonly request: RequestInfo;
  /** The instant every datetime macro is computed from (UTC). */
  readonly now: Date;
  /** When false, any reference to a hidden field is FILTER_INVALID. */
  readonly allowHidden: boolean;
  /** When false, `@request.*` and `@collection.*` are FILTER_FORBIDDEN_MACRO (403). */
  readonly allowRequestMacros: boolean;
}

/** The SQL compiler's context: the filtered table is `FROM "<collection>" AS "<tableAlias>"`. */
export interface FilterContext extends FilterScope {
  readonly dialect: Dialect;
  readonly tableAlias: string;
  /**
   * The rows a relation path reads for a collection; its table when absent. Realtime
   * passes records deleted by a cascade back in (see checkDeletedInDatabase).
   */
  readonly tableSql?: (collection: Collection) => Sql;
  /**
   * What `@rowid` sorts by, for a table that is no table of the database (the request
   * log's entries); the row's own rowid (`ctid` on PostgreSQL) when absent.
   */
  readonly rowidKey?: Sql;
}

/**
 * The sort compiler's context: the filter compiler's. `request` tells who is asking, for
 * email visibility and for the list rules of collections a sort key reaches through a
 * relation (see ListGuard).
 */
export type SortContext = FilterContext;

/**
 * Synchronous access to records for the in-memory evaluator (realtime prefetches into
 * one). Rows are plain records with JS values: text as string, number, boolean,
 * json as any JSON value or null, multi select/relation as string[].
 */
export interface FilterRecordSource {
  getRecord(collectionIdOrName: string, id: string): Row | undefined;
  listRecords(collectionIdOrName: string): Iterable<Row>;
}

/** The in-memory evaluator's context. */
export interface EvaluateContext extends FilterScope {
  readonly source: FilterRecordSource;
}
