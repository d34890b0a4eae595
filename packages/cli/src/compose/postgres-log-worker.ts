// Runs in a worker thread: writes the request log's batches into the data's PostgreSQL
// database over one connection of its own, so that making a segment (ids, dates, the
// jsonb text) and sending it never takes the server's event loop. Each message is one
// task; each answer carries the task's id. See postgres-log-sink.ts for the other side.
import { workerData } from 'node:worker_threads';
import pg from 'pg';
import type { RequestLogBatch } from '@tandem/core/log-batch';
import {
  POSTGRES_DELETE_LOG_ROWS_BEFORE,
  POSTGRES_DELETE_LOG_SEGMENTS_BEFORE,
  POSTGRES_INSERT_LOG_SEGMENT,
  postgresSegmentParams,
} from '@tandem/core/log-segments';
import type { LogTask } from './worker-log-sink.js';
import { answerTasks } from './worker-tasks.js';

const { url } = workerData as { url: string };
// One connection, made at the first task and again after the server dropped it; the
// LogWriter sends one task at a time. Named, so that `pg_stat_activity` tells it apart.
export const LOG_WRITER_APPLICATION_NAME = 'tandem request log';
const pool = new pg.Pool({
  connectionString: url,
  max: 1,
  connectionTimeoutMillis: 5000,
  application_name: LOG_WRITER_APPLICATION_NAME,
});
// An idle client's error (the server restarted) must not end the worker: the next task reconnects.
pool.on('error', () => undefined);

/** A batch becomes one segment (log-segments.ts): one row, whatever its count. */
async function writeBatch(batch: RequestLogBatch): Promise<void> {
  await pool.query({
    name: 'tandem_log_segment',
    text: POSTGRES_INSERT_LOG_SEGMENT,
    values: postgresSegmentParams(batch),
  });
}

/** Deletes what is older than `cutoff`, in one transaction; returns how many entries went. */
async function deleteBefore(cutoff: string): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const rows = (await client.query(POSTGRES_DELETE_LOG_ROWS_BEFORE, [cutoff])).rowCount ?? 0;
    const segments = await client.query<{ count: number }>(POSTGRES_DELETE_LOG_SEGMENTS_BEFORE, [cutoff]);
    await client.query('COMMIT');
    client.release();
    return segments.rows.reduce((sum, segment) => sum + Number(segment.count), rows);
  } catch (error) {
    // NB: the connection is dropped, not reused: it may be the reason (a server restart).
    client.release(true);
    throw error;
  }
}

answerTasks<LogTask>(
  (task) => {
    if (task.kind === 'deleteBefore') return deleteBefore(task.cutoff);
    return task.batch.count > 0 ? writeBatch(task.batch) : 0;
  },
  () => pool.end(),
);
