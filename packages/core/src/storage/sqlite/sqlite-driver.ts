/**
 * The part of a better-sqlite3 `Database` that Tandem uses. Declared structurally so
 * core imports no driver: the composition root passes the real instance in.
 */
export interface SqliteDatabase {
  prepare(source: string): SqliteStatement;
  exec(source: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): unknown;
  /** Registers a SQL function written in JavaScript (see sqlite-deadline.ts). */
  function(name: string, options: { deterministic?: boolean }, fn: (...args: unknown[]) => unknown): unknown;
  readonly inTransaction: boolean;
}

/** A prepared statement of better-sqlite3. */
export interface SqliteStatement {
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
  run(...params: unknown[]): { changes: number };
}

/** Settings applied to every connection. */
export interface SqliteOptions {
  /** `FULL` (default): a commit survives power loss. `NORMAL`: survives crashes only. */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** Registers what else each connection must know, such as SQL functions of upper layers (the request log's: registerLogFunctions). */
  readonly register?: (db: SqliteDatabase) => void;
}
