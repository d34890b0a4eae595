import type { LogSink } from '@tandem/core';
import { workerLogSink } from './worker-log-sink.js';

/**
 * The request log's sink on a SQLite server: a worker thread with its own connection to
 * the log's file (`logs.db`, whose table the server has made) writes each batch in one
 * statement (see workerLogSink).
 */
export function createSqliteLogSink(file: string): LogSink {
  return workerLogSink(new URL('./sqlite-log-worker.js', import.meta.url), { file });
}
