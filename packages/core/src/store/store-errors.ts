/** A write broke a UNIQUE or PRIMARY KEY constraint. Stores translate driver errors to it. */
export class UniqueViolationError extends Error {
  constructor(detail: string) {
    super(`unique constraint violated: ${detail}`);
    this.name = 'UniqueViolationError';
  }
}

/** The database could not be reached or answered with a connection-level failure. */
export class StoreUnavailableError extends Error {
  constructor(detail: string) {
    super(`database unavailable: ${detail}`);
    this.name = 'StoreUnavailableError';
  }
}
