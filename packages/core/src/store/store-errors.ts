/** A write broke a UNIQUE or PRIMARY KEY constraint. Stores translate driver errors to it. */
export class UniqueViolationError extends Error {
  /**
   * What the database said was violated: the columns (SQLite names them) or the
   * constraint (PostgreSQL names the index, or `<table>_pkey`).
   */
  readonly target: { columns?: string[]; constraint?: string };

  constructor(detail: string, target: { columns?: string[]; constraint?: string } = {}) {
    super(`unique constraint violated: ${detail}`);
    this.name = 'UniqueViolationError';
    this.target = target;
  }
}

/** The database could not be reached or answered with a connection-level failure. */
export class StoreUnavailableError extends Error {
  constructor(detail: string) {
    super(`database unavailable: ${detail}`);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * A write failed because the database has no space left (SQLite's SQLITE_FULL,
 * PostgreSQL's disk_full). The write's transaction was rolled back whole; reads still
 * work, and writes work again once there is space.
 */
export class StoreFullError extends Error {
  constructor(detail: string) {
    super(`database storage full: ${detail}`);
    this.name = 'StoreFullError';
  }
}
