// Runs in a worker thread: writes the request log's batches into its SQLite file over a
// connection of its own, so that storing them (a segment of the batch's bytes, see
// log-segment-blob.ts) never takes the server's event loop. Each message is one task;
// each answer carries the task's id. See sqlite-log-sink.ts for the other side.
import { workerData } from 'node:worker_threads';
import Database, { type Statement } from 'better-sqlite3';
import type { RequestLogBatch } from '@tandem/core/log-batch';
import {
  SQLITE_DELETE_LOG_ROWS_BEFORE,
  SQLITE_DELETE_LOG_SEGMENTS_BEFORE,
  SQLITE_INSERT_LOG_SEGMENT,
  sqliteSegmentParams,
} from '@tandem/core/log-segments';
import type { LogTask } from './sqlite-log-sink.js';
import { answerTasks } from './worker-tasks.js';

const { file } = workerData as { file: string };
const db = new Database(file, { fileMustExist: true });
// NB: as the server's own connection to this file (open-store.ts): a crash may lose the
// last batch, never the file's consistency.
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 10000');
// Prepared at first use: a statement that cannot be prepared (the table is missing) fails
// its task, not the worker.
let insertSegment: Statement<unknown[]> | undefined;
let deleteRows: Statement<unknown[]> | undefined;
let deleteSegments: Statement<unknown[], { count: number }> | undefined;

/** A batch becomes one segment (log-segments.ts): one row of its bytes, whatever its count. */
function writeBatch(batch: RequestLogBatch): void {
  insertSegment ??= db.prepare<unknown[]>(SQLITE_INSERT_LOG_SEGMENT);
  insertSegment.run(...sqliteSegmentParams(batch));
}

/** Deletes what is older than `cutoff`, in one transaction; returns how many entries went. */
const deleteBefore = db.transaction((cutoff: string): number => {
  deleteRows ??= db.prepare<unknown[]>(SQLITE_DELETE_LOG_ROWS_BEFORE);
  deleteSegments ??= db.prepare<unknown[], { count: number }>(SQLITE_DELETE_LOG_SEGMENTS_BEFORE);
  const rows = deleteRows.run(cutoff).changes;
  return deleteSegments.all(cutoff).reduce((sum, segment) => sum + segment.count, rows);
});

answerTasks<LogTask>(
  (task) => {
    if (task.kind === 'deleteBefore') return deleteBefore(task.cutoff);
    if (task.batch.count > 0) writeBatch(task.batch);
    return 0;
  },
  () => db.close(),
);
