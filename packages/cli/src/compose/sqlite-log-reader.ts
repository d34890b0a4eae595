import { AppError, LOG_READ_BUDGET_MS, type Dialect, type LogReads, type Row, type SqlQuery } from '@tandem/core';
import { TaskError, taskWorker } from './task-worker.js';

/** A read for the log's reader (sqlite-log-reader-worker.ts): rendered SQL, and whether one row is wanted. */
export interface ReadTask {
  readonly kind: 'read';
  readonly id: number;
  readonly text: string;
  readonly params: readonly unknown[];
  readonly first: boolean;
}

/** The log's reads over a worker thread; `close` ends it. */
export interface SqliteLogReader extends LogReads {
  close(): Promise<void>;
}

/**
 * The request log's reads on a SQLite server, on a worker thread with a read-only
 * connection to `file` (`logs.db`): a superuser's filter over millions of entries takes
 * seconds of SQLite's time, which on the server's thread would stop every other request
 * for as long. The queries are rendered here with `dialect` (SQLite's) and run there; a
 * read past `budgetMs` (LOG_READ_BUDGET_MS) answers QUERY_TOO_COSTLY. The worker starts at the first read,
 * and a dead one is replaced at the next (see taskWorker).
 */
export function createSqliteLogReader(file: string, dialect: Dialect, budgetMs = LOG_READ_BUDGET_MS): SqliteLogReader {
  const worker = taskWorker<Omit<ReadTask, 'id'>>(
    new URL('./sqlite-log-reader-worker.js', import.meta.url),
    { file, budgetMs },
    { what: 'request log', name: 'request log reader' },
  );
  const read = async (query: SqlQuery, first: boolean): Promise<unknown> => {
    const { text, params } = query.render(dialect);
    try {
      return await worker.run({ kind: 'read', text, params, first });
    } catch (error) {
      throw error instanceof TaskError && error.code === 'budget' ? new AppError('QUERY_TOO_COSTLY') : error;
    }
  };
  return {
    all: async <T extends Row>(query: SqlQuery) => (await read(query, false)) as T[],
    first: async <T extends Row>(query: SqlQuery) => ((await read(query, true)) ?? undefined) as T | undefined,
    close: () => worker.close(),
  };
}
