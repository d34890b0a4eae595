import type { SqlQuery } from '../../store/query-template.js';
import type { Executor, Row, Store } from '../../store/store.js';
import { StoreFullError, UniqueViolationError } from '../../store/store-errors.js';
import type { SqliteDatabase, SqliteOptions, SqliteStatement } from './sqlite-driver.js';
import { sqliteDialect } from './sqlite-dialect.js';
import { nextStatement, registerDeadline, StatementDeadlineError } from './sqlite-deadline.js';
import { AppError } from '../../errors/app-error.js';
import { SqliteWriteQueue } from './sqlite-write-queue.js';
import { TurnSnapshot } from './turn-snapshot.js';

const STATEMENT_CACHE_SIZE = 500;

/**
 * A Store over one SQLite file with two connections: `writer` runs every write and
 * every transaction (one at a time, the transactions queued together under one commit:
 * see SqliteWriteQueue), `reader` serves reads outside transactions so they never see
 * uncommitted data. WAL mode lets the reader work while a write is open.
 * @example createSqliteStore({ writer: new Database(file), reader: new Database(file) })
 */
export function createSqliteStore(
  connections: { writer: SqliteDatabase; reader: SqliteDatabase },
  options: SqliteOptions = {},
): Store {
  configure(connections.writer, options);
  configure(connections.reader, options);
  const writer = createExecutor(connections.writer);
  // The reads of a turn share one read transaction, released around every write (see TurnSnapshot).
  const snapshot = new TurnSnapshot(connections.reader);
  const reader = createExecutor(connections.reader, () => snapshot.hold());
  const writes = new SqliteWriteQueue(connections.writer, writer, translateError, () => snapshot.release());
  return {
    dialect: sqliteDialect,
    all: reader.all,
    first: reader.first,
    firstNow: reader.firstNow,
    run: (query) => writes.alone(() => writer.run(query)),
    exec: (ddl) => writes.alone(() => writer.exec(ddl)),
    transaction: (work) => writes.transaction(work),
    async close() {
      // NB: the queue releases the reader's snapshot before a task that runs alone.
      await writes.alone(async () => {
        connections.reader.close();
        connections.writer.close();
      });
    },
  };
}

function configure(db: SqliteDatabase, options: SqliteOptions): void {
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = OFF');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -32000');
  db.pragma('journal_size_limit = 200000000');
  registerDeadline(db);
  options.register?.(db);
}

/**
 * An executor over one connection; `firstNow` is its `first` without the promise
 * (Store.firstNow). `beforeStatement` runs before each statement (the reader's TurnSnapshot).
 */
function createExecutor(
  db: SqliteDatabase,
  beforeStatement?: () => void,
): Executor & Required<Pick<Store, 'firstNow'>> {
  const statements = new Map<string, SqliteStatement>();
  const prepare = (query: SqlQuery) => {
    nextStatement();
    beforeStatement?.();
    const { text, params } = query.render(sqliteDialect);
    let statement = statements.get(text);
    if (!statement) {
      statement = db.prepare(text);
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value as string);
      statements.set(text, statement);
    }
    return { statement, params };
  };
  const firstNow = <T extends Row>(query: SqlQuery): T | undefined => {
    try {
      const { statement, params } = prepare(query);
      return statement.get(...params) as T | undefined;
    } catch (error) {
      throw translateError(error);
    }
  };
  // Plain functions over the synchronous driver, answering with settled promises: an
  // async function would add its own promise and resumption to every statement.
  return {
    dialect: sqliteDialect,
    // Inside a transaction `all` and `first` may write too (INSERT … RETURNING), so every
    // call translates driver errors.
    all<T extends Row>(query: SqlQuery) {
      try {
        const { statement, params } = prepare(query);
        return Promise.resolve(statement.all(...params) as T[]);
      } catch (error) {
        return Promise.reject(translateError(error));
      }
    },
    first<T extends Row>(query: SqlQuery) {
      try {
        return Promise.resolve(firstNow<T>(query));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    firstNow,
    run(query: SqlQuery) {
      try {
        const { statement, params } = prepare(query);
        const changes = statement.reader ? statement.all(...params).length : statement.run(...params).changes;
        return Promise.resolve({ changes });
      } catch (error) {
        return Promise.reject(translateError(error));
      }
    },
    exec(ddl: string) {
      statements.clear(); // NB: DDL may invalidate prepared statements' column lists.
      try {
        db.exec(ddl);
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(translateError(error));
      }
    },
  };
}

/**
 * Driver errors Tandem answers on purpose: unique violations (named fields) and a full
 * disk (SQLITE_FULL, which SQLite reports for ENOSPC; 507). Anything else stays as it is.
 */
function translateError(error: unknown): unknown {
  if (error instanceof StatementDeadlineError) return new AppError('QUERY_TOO_COSTLY');
  const code = (error as { code?: string }).code;
  if (code === 'SQLITE_FULL') return new StoreFullError((error as Error).message);
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    // "UNIQUE constraint failed: posts.slug, posts.lang": the columns, table-qualified.
    const list = /constraint failed: (.*)$/.exec((error as Error).message)?.[1] ?? '';
    const columns = list
      .split(',')
      .map((c) => c.trim().split('.').pop()!)
      .filter(Boolean);
    return new UniqueViolationError((error as Error).message, { columns });
  }
  return error;
}
