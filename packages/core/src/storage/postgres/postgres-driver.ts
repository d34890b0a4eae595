/**
 * The part of a `pg` Pool that Tandem uses, declared structurally so core imports no
 * driver: the composition root passes the real pool in.
 */
export interface PostgresPool {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  /** A named statement: parsed and planned once per connection, then only bound and run. */
  query(config: {
    name: string;
    text: string;
    values?: unknown[];
  }): Promise<{ rows: unknown[]; rowCount: number | null }>;
  connect(): Promise<PostgresClient>;
  end(): Promise<void>;
}

/** One checked-out connection of the pool. */
export interface PostgresClient {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  /** A named statement: parsed and planned once per connection, then only bound and run. */
  query(config: {
    name: string;
    text: string;
    values?: unknown[];
  }): Promise<{ rows: unknown[]; rowCount: number | null }>;
  release(error?: Error | boolean): void;
}
