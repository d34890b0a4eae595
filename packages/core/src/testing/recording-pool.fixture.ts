import type pg from 'pg';
import type { PostgresClient, PostgresPool } from '../storage/postgres/postgres-driver.js';

/**
 * A real pool that writes down the text of every statement sent on the connections it
 * hands out (transactions), so a test can tell which statements a transaction sent.
 * Statements sent on the pool itself (reads outside a transaction) are not written down.
 */
export function recordingPool(pool: pg.Pool): { pool: PostgresPool; sent: string[] } {
  const sent: string[] = [];
  const recording: PostgresPool = {
    query: pool.query.bind(pool) as unknown as PostgresPool['query'],
    end: () => pool.end(),
    async connect() {
      const client = await pool.connect();
      const query = (first: string | pg.QueryConfig, params?: unknown[]) => {
        sent.push(typeof first === 'string' ? first : first.text);
        return typeof first === 'string' ? client.query(first, params) : client.query(first);
      };
      return { query, release: (error?: Error | boolean) => client.release(error) } as PostgresClient;
    },
  };
  return { pool: recording, sent };
}
