import type { LogSink, RequestLogBatch } from '@tandem/core';
import { taskWorker } from './task-worker.js';

/** A task for a log writer thread (sqlite-log-worker.ts, postgres-log-worker.ts). */
export type LogTask =
  | { readonly kind: 'write'; readonly id: number; readonly batch: RequestLogBatch }
  | { readonly kind: 'deleteBefore'; readonly id: number; readonly cutoff: string };

type WorkTask = { kind: 'write'; batch: RequestLogBatch } | { kind: 'deleteBefore'; cutoff: string };

/**
 * A request log sink whose writes run on a worker thread of `url` (a module that answers
 * LogTasks, given `workerData`), so that turning a batch into its segment (ids, dates,
 * JSON) and sending it never takes the server's event loop. The worker starts at the
 * first batch; when it dies (a crash, an error at start) the batches it held are rejected
 * (the LogWriter drops and counts them) and the next batch starts a new one (taskWorker).
 */
export function workerLogSink(url: URL, workerData: unknown): LogSink {
  const worker = taskWorker<WorkTask>(url, workerData, { what: 'request log', name: 'request log writer' });
  return {
    // A batch's buffer moves to the worker without a copy (and is empty here after).
    write: async (batch) => void (await worker.run({ kind: 'write', batch }, [batch.bytes.buffer as ArrayBuffer])),
    deleteBefore: async (cutoff) => Number(await worker.run({ kind: 'deleteBefore', cutoff })),
    close: () => worker.close(),
  };
}
