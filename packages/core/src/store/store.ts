import type { SqlQuery } from './query-template.js';
import type { Dialect } from './dialect.js';

/** A database row as the driver returns it. */
export type Row = Record<string, unknown>;

/**
 * Runs SQL fragments (`Sql`) or bound query templates. Both a store and an open
 * transaction are executors.
 */
export interface Executor {
  readonly dialect: Dialect;
  /** All rows of a query. */
  all<T extends Row = Row>(query: SqlQuery): Promise<T[]>;
  /** The first row of a query, or undefined. */
  first<T extends Row = Row>(query: SqlQuery): Promise<T | undefined>;
  /** Runs a statement and tells how many rows it changed. */
  run(query: SqlQuery): Promise<{ changes: number }>;
  /** Runs several statements of trusted DDL text (no parameters). */
  exec(ddl: string): Promise<void>;
}

/**
 * The Store port: one interface over SQLite and PostgreSQL.
 * Reads outside a transaction never see uncommitted writes; transactions are serialized
 * where the database needs it (SQLite has one writer).
 */
export interface Store extends Executor {
  /** Runs `work` in one transaction: commit on success, rollback when it throws. */
  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T>;
  /**
   * `first`, answered synchronously: offered only by a store whose driver works on the
   * calling thread (SQLite), where a promise would only delay a row already read.
   * Throws what `first` rejects with. Absent on PostgreSQL. Call it as a method.
   */
  firstNow?<T extends Row = Row>(query: SqlQuery): T | undefined;
  /** Closes every connection. */
  close(): Promise<void>;
}

/** A store that reads synchronously (Store.firstNow). */
export type SyncReadStore = Store & Required<Pick<Store, 'firstNow'>>;

/** True when `store` reads synchronously (see Store.firstNow). */
export function readsSynchronously(store: Store): store is SyncReadStore {
  return store.firstNow !== undefined;
}
