import type { SqlQuery } from '../../store/query-template.js';
import type { Executor, Row, Store } from '../../store/store.js';
import { StoreFullError, StoreUnavailableError, UniqueViolationError } from '../../store/store-errors.js';
import type { PostgresClient, PostgresPool } from './postgres-driver.js';
import { postgresDialect } from './postgres-dialect.js';

type Queryable = Pick<PostgresClient, 'query'>;

/**
 * A Store over a PostgreSQL connection pool. Each transaction takes its own connection;
 * reads outside a transaction use any free connection.
 * @example createPostgresStore({ pool: new pg.Pool({ connectionString }) })
 */
export function createPostgresStore(options: { pool: PostgresPool }): Store {
  const { pool } = options;
  const base = createExecutor(pool);
  return {
    ...base,
    transaction: (work) => runTransaction(pool, work),
    close: () => pool.end(),
  };
}

async function runTransaction<T>(pool: PostgresPool, work: (tx: Executor) => Promise<T>): Promise<T> {
  const client = await connect(pool);
  try {
    await send(client, 'BEGIN');
    const result = await work(createExecutor(client));
    await send(client, 'COMMIT');
    client.release();
    return result;
  } catch (error) {
    await rollbackAndRelease(client);
    throw error;
  }
}

async function rollbackAndRelease(client: PostgresClient): Promise<void> {
  try {
    await client.query('ROLLBACK');
    client.release();
  } catch (rollbackError) {
    // A connection that cannot roll back is broken: destroy it rather than reuse it.
    client.release(rollbackError as Error);
  }
}

async function connect(pool: PostgresPool): Promise<PostgresClient> {
  try {
    return await pool.connect();
  } catch (error) {
    throw new StoreUnavailableError((error as Error).message);
  }
}

function createExecutor(connection: Queryable): Executor {
  const query = (sqlQuery: SqlQuery) => {
    const { text, params } = sqlQuery.render(postgresDialect);
    return send(connection, text, params);
  };
  return {
    dialect: postgresDialect,
    all: async <T extends Row>(q: SqlQuery) => (await query(q)).rows as T[],
    first: async <T extends Row>(q: SqlQuery) => (await query(q)).rows[0] as T | undefined,
    run: async (q: SqlQuery) => ({ changes: (await query(q)).rowCount ?? 0 }),
    async exec(ddl: string) {
      await send(connection, ddl);
    },
  };
}

/** Runs one statement; driver errors become store errors (see translateError). */
async function send(
  connection: Queryable,
  text: string,
  params?: unknown[],
): Promise<{ rows: unknown[]; rowCount: number | null }> {
  try {
    return await connection.query(text, params);
  } catch (error) {
    throw translateError(error);
  }
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  '57P01',
  '57P03',
  '08006',
  '08001',
  '08004',
]);
/** SQLSTATE 53100: no space left for the write. */
const DISK_FULL = '53100';
/** SQLSTATE class 53, insufficient resources (memory, connections, configured limits). */
const INSUFFICIENT_RESOURCES = /^53[0-9A-Z]{3}$/;

/**
 * Driver errors Tandem answers on purpose: unique violations (named fields), disk full
 * (507), and a database that cannot serve now, unreachable or out of other resources
 * (503). Anything else stays as it is (500).
 */
function translateError(error: unknown): unknown {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message;
  if (code === '23505')
    return new UniqueViolationError(message, { constraint: (error as { constraint?: string }).constraint });
  if (code === DISK_FULL) return new StoreFullError(message);
  if (code && (CONNECTION_ERROR_CODES.has(code) || INSUFFICIENT_RESOURCES.test(code)))
    return new StoreUnavailableError(message);
  return error;
}
