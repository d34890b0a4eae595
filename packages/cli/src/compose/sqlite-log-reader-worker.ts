// Runs in a worker thread: the request log's reads (`/api/logs`), over a read-only
// connection of its own to the log's SQLite file. A read that takes a large log apart
// (a filter, a sort other than newest first) runs for seconds; here it holds this thread
// and the reads queued behind it, never the server's event loop. See sqlite-log-reader.ts.
import { workerData } from 'node:worker_threads';
import Database, { type Statement } from 'better-sqlite3';
import { registerLogFunctions } from '@tandem/core/log-segment-blob';
import { nextStatement, registerDeadline, StatementDeadlineError } from '@tandem/core/sqlite-deadline';
import type { ReadTask } from './sqlite-log-reader.js';
import { answerTasks } from './worker-tasks.js';

const { file, budgetMs } = workerData as { file: string; budgetMs: number };
const db = new Database(file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 10000');
// Every segment a read takes apart checks it (log-segments.ts, budgetCheck).
registerDeadline(db, budgetMs);
// And a segment stored as its batch's bytes is read as JSON through it (log-segment-blob.ts).
registerLogFunctions(db);

/** The log's reads are a few shapes of text: each is prepared once (bounded, oldest out). */
const MAX_STATEMENTS = 64;
const statements = new Map<string, Statement<unknown[]>>();

function prepared(text: string): Statement<unknown[]> {
  let statement = statements.get(text);
  if (statement) return statement;
  statement = db.prepare<unknown[]>(text);
  if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value as string);
  statements.set(text, statement);
  return statement;
}

answerTasks<ReadTask>(
  ({ text, params, first }) => {
    nextStatement();
    const statement = prepared(text);
    return first ? statement.get(...params) : statement.all(...params);
  },
  () => db.close(),
  (error) => (error instanceof StatementDeadlineError ? 'budget' : undefined),
);
