import type { SqlQuery } from '../../store/query-template.js';
import type { Executor, Row, Store } from '../../store/store.js';
import { StoreFullError, StoreUnavailableError, UniqueViolationError } from '../../store/store-errors.js';
import type { PostgresClient, PostgresPool } from './postgres-driver.js';
import { postgresDialect } from './postgres-dialect.js';
import { POSTGRES_BUDGET_MARKER } from '../../store/statement-budget.js';
import { AppError } from '../../errors/app-error.js';

type Queryable = Pick<PostgresClient, 'query'>;

/**
 * A Store over a PostgreSQL connection pool. Each transaction takes its own connection;
 * reads outside a transaction use any free connection.
 * @example createPostgresStore({ pool: new pg.Pool({ connectionString }) })
 */
export function createPostgresStore(options: { pool: PostgresPool }): Store {
  const { pool } = options;
  const names = new StatementNames();
  const base = createExecutor(pool, names);
  return {
    ...base,
    transaction: (work) => runTransaction(pool, names, work),
    close: () => pool.end(),
  };
}

/**
 * Runs `work` on one connection. BEGIN is sent just before the first statement, unless
 * that statement is marked as the transaction's last (lastInTransaction): it then runs
 * alone, atomic by itself, and the transaction costs one round trip instead of three.
 */
async function runTransaction<T>(
  pool: PostgresPool,
  names: StatementNames,
  work: (tx: Executor) => Promise<T>,
): Promise<T> {
  const client = await connect(pool);
  const state = { begun: false, ended: false };
  try {
    const result = await work(createExecutor(client, names, (query) => openFor(client, state, query)));
    if (state.begun) await sendText(client, 'COMMIT');
    client.release();
    return result;
  } catch (error) {
    await rollbackAndRelease(client);
    throw error;
  }
}

/** What a transaction's executor does before each statement: refuse it after the last, or send BEGIN before the first. */
function openFor(
  client: PostgresClient,
  state: { begun: boolean; ended: boolean },
  query: SqlQuery | undefined,
): Promise<unknown> | undefined {
  if (state.ended) throw new Error("A statement was sent after the one marked as its transaction's last.");
  if (query?.endsTransaction) state.ended = true;
  // Begun already, or the first statement is also the last: it runs alone.
  if (state.begun || state.ended) return undefined;
  state.begun = true;
  return sendText(client, 'BEGIN');
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

/**
 * An executor over a pool or one connection. `before` runs ahead of each statement (a
 * transaction's BEGIN, see runTransaction); it returns a promise only when it sends one.
 */
function createExecutor(
  connection: Queryable,
  names: StatementNames,
  before?: (query: SqlQuery | undefined) => Promise<unknown> | undefined,
): Executor {
  const send = (sqlQuery: SqlQuery) => {
    const { text, params } = sqlQuery.render(postgresDialect);
    const name = names.nameOf(text);
    return name ? sendNamed(connection, names, name, text, params) : sendText(connection, text, params);
  };
  const query = (sqlQuery: SqlQuery) => {
    const opening = before?.(sqlQuery);
    return opening ? opening.then(() => send(sqlQuery)) : send(sqlQuery);
  };
  return {
    dialect: postgresDialect,
    all: async <T extends Row>(q: SqlQuery) => (await query(q)).rows as T[],
    first: async <T extends Row>(q: SqlQuery) => (await query(q)).rows[0] as T | undefined,
    run: async (q: SqlQuery) => ({ changes: (await query(q)).rowCount ?? 0 }),
    async exec(ddl: string) {
      await before?.(undefined);
      // A schema change may change what a prepared statement returns: name everything anew.
      names.forget();
      await sendText(connection, before ? ddl : underSetupLock(ddl));
    },
  };
}

/**
 * A schema change sent outside a transaction, made to take the processes' setup lock for
 * its own transaction: the statements of one simple query run as one implicit
 * transaction, which holds the lock until it ends. NB: PostgreSQL answers two concurrent
 * `CREATE TABLE IF NOT EXISTS` of one table with a unique violation (on `pg_type` or
 * `pg_class`) instead of letting the second skip it, so processes that start together on
 * a new database (a first deploy of several instances, a server beside a `tandem`
 * command) would fail their setup. Under the lock the later one waits, then finds the
 * table. A transaction's statements need none: the setup that runs in one
 * (CollectionService.load) takes the lock first.
 */
function underSetupLock(ddl: string): string {
  return `${postgresDialect.setupLock}; ${ddl}`;
}

/** Names handed out in this process: each is used for one text only, whatever the store or the schema change. */
let statementsNamed = 0;

/** How often a statement text is sent before it is prepared by name. */
const PREPARE_AFTER = 3;
/** Statement texts prepared by name at most (until the next schema change); later ones are sent unnamed. */
const MAX_NAMED = 200;
/** Statement texts counted at most before the counts start over. */
const MAX_COUNTED = 2_000;

/**
 * Names for the statements sent often (a read by id, an insert, the change log's), so
 * that PostgreSQL parses and plans each once per connection and then only binds and runs
 * it: unnamed, every statement is parsed and planned again, which cost a create several
 * times the reference's database CPU. A text is named only once it was sent
 * PREPARE_AFTER times, so one-off statements (a client's unusual filter) never take a
 * name, and at most MAX_NAMED are named: each connection keeps what it prepared.
 *
 * NB: PostgreSQL re-plans a prepared statement when a table it reads changes, but refuses
 * one whose result columns changed type ("cached plan must not change result type").
 * Every DDL Tandem runs goes through `exec`, after which every text gets a new name, so no
 * statement prepared before a schema change is used after it; a schema change made by
 * another process is met by that error once (SQLSTATE 0A000), after which the names
 * start over too.
 */
class StatementNames {
  readonly #names = new Map<string, string>();
  readonly #counts = new Map<string, number>();

  /** The name to prepare `text` under, or undefined to send it unnamed. */
  nameOf(text: string): string | undefined {
    const name = this.#names.get(text);
    if (name !== undefined || this.#names.size >= MAX_NAMED) return name;
    const seen = (this.#counts.get(text) ?? 0) + 1;
    if (seen < PREPARE_AFTER) {
      if (this.#counts.size >= MAX_COUNTED) this.#counts.clear();
      this.#counts.set(text, seen);
      return undefined;
    }
    this.#counts.delete(text);
    const named = `tandem_${++statementsNamed}`;
    this.#names.set(text, named);
    return named;
  }

  /** Drops every name (after a schema change): statements are prepared again under new names. */
  forget(): void {
    this.#names.clear();
    this.#counts.clear();
  }
}

/** SQLSTATE 0A000 (feature not supported): here, a prepared statement whose result changed shape. */
const CACHED_PLAN_CHANGED = '0A000';

async function sendNamed(
  connection: Queryable,
  names: StatementNames,
  name: string,
  text: string,
  params: unknown[],
): Promise<{ rows: unknown[]; rowCount: number | null }> {
  try {
    return await connection.query({ name, text, values: params });
  } catch (error) {
    if ((error as { code?: string }).code === CACHED_PLAN_CHANGED) names.forget();
    throw translateError(error);
  }
}

/** Runs one statement; driver errors become store errors (see translateError). */
async function sendText(
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
  if (code === '22P02' && message.includes(POSTGRES_BUDGET_MARKER)) return new AppError('QUERY_TOO_COSTLY');
  if (code && (CONNECTION_ERROR_CODES.has(code) || INSUFFICIENT_RESOURCES.test(code)))
    return new StoreUnavailableError(message);
  return error;
}
