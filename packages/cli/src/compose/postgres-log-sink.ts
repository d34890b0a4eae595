import type { LogSink } from '@tandem/core';
import { workerLogSink } from './worker-log-sink.js';

/**
 * The request log's sink on a PostgreSQL server: a worker thread with one connection of
 * its own to the data's database (`url`), where the server has made the log's tables,
 * writes each batch in one statement (see workerLogSink). On the event loop a segment
 * cost 1.3–2.7 µs an entry to make and send (jsonb text, `pg`'s message), more than the
 * rest of the log's part of a request.
 */
export function createPostgresLogSink(url: string): LogSink {
  return workerLogSink(new URL('./postgres-log-worker.js', import.meta.url), { url });
}
