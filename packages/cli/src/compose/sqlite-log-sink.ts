import type { LogSink, RequestLogBatch } from '@tandem/core';
import { taskWorker } from './task-worker.js';

/** A task for the log's writer (sqlite-log-worker.ts). */
export type LogTask =
  | { readonly kind: 'write'; readonly id: number; readonly batch: RequestLogBatch }
  | { readonly kind: 'deleteBefore'; readonly id: number; readonly cutoff: string };

type WorkTask = { kind: 'write'; batch: RequestLogBatch } | { kind: 'deleteBefore'; cutoff: string };

/**
 * The request log's sink on a SQLite server: a worker thread with its own connection to
 * the log's file (`logs.db`, whose table the server has made) writes each batch in one
 * statement. The worker starts at the first batch; when it dies (a crash, an error at
 * start) the batches it held are rejected (the LogWriter drops and counts them) and the
 * next batch starts a new one (see taskWorker).
 */
export function createSqliteLogSink(file: string): LogSink {
  const worker = taskWorker<WorkTask>(
    new URL('./sqlite-log-worker.js', import.meta.url),
    { file },
    { what: 'request log', name: 'request log writer' },
  );
  return {
    // A batch's buffer moves to the worker without a copy (and is empty here after).
    write: async (batch) => void (await worker.run({ kind: 'write', batch }, [batch.bytes.buffer as ArrayBuffer])),
    deleteBefore: async (cutoff) => Number(await worker.run({ kind: 'deleteBefore', cutoff })),
    close: () => worker.close(),
  };
}
