// Runs in a worker thread: writes the request log's batches into its SQLite file over a
// connection of its own, so that turning queued entries into rows (ids, dates, JSON) and
// inserting them never takes the server's event loop. Each message is one task; each
// answer carries the task's id. See sqlite-log-sink.ts for the other side.
import { parentPort, workerData } from 'node:worker_threads';
import Database, { type Statement } from 'better-sqlite3';
import { LOGS_TABLE, type RequestLogBatch } from '@tandem/core/log-batch';
import { forEachStoredRowUtf8 } from '@tandem/core/log-row-utf8';
import type { LogTask, LogTaskAnswer } from './sqlite-log-sink.js';

const { file } = workerData as { file: string };
const db = new Database(file, { fileMustExist: true });
// NB: as the server's own connection to this file (open-store.ts): a crash may lose the
// last batch, never the file's consistency.
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 10000');
/**
 * Rows one INSERT takes. NB: better-sqlite3 costs about a microsecond per `run` (binding,
 * stepping, resetting), a quarter of a row's whole cost; one statement over 50 rows made
 * a row cost 3.2 µs of this thread instead of 4.4 (measured on 100,000 rows).
 */
const ROWS_PER_INSERT = 50;
const COLUMNS = 5;
/**
 * `message` and `data` come as their UTF-8 bytes (forEachStoredRowUtf8), stored as the
 * text they are. NB: bound as strings, the driver's conversion to UTF-8 cost about a
 * quarter of a row's insert.
 */
const ROW = '(?, ?, ?, CAST(? AS TEXT), CAST(? AS TEXT))';
const insertSql = (rows: number) =>
  `INSERT INTO "${LOGS_TABLE}" ("id", "created", "level", "message", "data") VALUES ${Array(rows).fill(ROW).join(', ')}`;
// Prepared at first use: a statement that cannot be prepared (the table is missing) fails
// its task, not the worker.
let insertMany: Statement<unknown[]> | undefined;
let insertOne: Statement<unknown[]> | undefined;
let deleteBefore: Statement | undefined;
const writeBatch = db.transaction((batch: RequestLogBatch) => {
  const many = (insertMany ??= db.prepare<unknown[]>(insertSql(ROWS_PER_INSERT)));
  const one = (insertOne ??= db.prepare<unknown[]>(insertSql(1)));
  const values: unknown[] = [];
  forEachStoredRowUtf8(batch, (id, created, level, message, data) => {
    values.push(id, created, level, message, data);
    if (values.length < ROWS_PER_INSERT * COLUMNS) return;
    many.run(values);
    values.length = 0;
  });
  for (let at = 0; at < values.length; at += COLUMNS) one.run(values.slice(at, at + COLUMNS));
});

parentPort!.on('message', (task: LogTask) => {
  if (task.kind === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  parentPort!.postMessage(run(task));
});

function run(task: Exclude<LogTask, { kind: 'close' }>): LogTaskAnswer {
  try {
    if (task.kind === 'write') {
      writeBatch(task.batch);
      return { id: task.id, ok: true, changes: 0 };
    }
    deleteBefore ??= db.prepare(`DELETE FROM "${LOGS_TABLE}" WHERE "created" < ?`);
    return { id: task.id, ok: true, changes: deleteBefore.run(task.cutoff).changes };
  } catch (error) {
    // NB: only the driver's message crosses (e.g. "database or disk is full").
    return { id: task.id, ok: false, message: (error as Error).message };
  }
}
