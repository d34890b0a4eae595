import { Worker } from 'node:worker_threads';
import type { LogSink, RequestLogBatch } from '@tandem/core';

/** A task for the log's worker (sqlite-log-worker.ts). */
export type LogTask =
  | { readonly kind: 'write'; readonly id: number; readonly batch: RequestLogBatch }
  | { readonly kind: 'deleteBefore'; readonly id: number; readonly cutoff: string }
  | { readonly kind: 'close' };

/** The worker's answer to a write or delete. */
export type LogTaskAnswer =
  | { readonly id: number; readonly ok: true; readonly changes: number }
  | { readonly id: number; readonly ok: false; readonly message: string };

type WorkTask = { kind: 'write'; batch: RequestLogBatch } | { kind: 'deleteBefore'; cutoff: string };

/**
 * The request log's sink on a SQLite server: a worker thread with its own connection to
 * the log's file (`logs.db`, whose table the server has made) writes each batch in one
 * transaction. The worker starts at the first batch; when it dies (a crash, an error at
 * start) the batches it held are rejected (the LogWriter drops and counts them) and the
 * next batch starts a new one. The worker keeps the process alive only while it holds a
 * batch: an idle one never delays an exit, and a last batch at shutdown is written.
 */
export function createSqliteLogSink(file: string): LogSink {
  let current: LogWorker | undefined;
  let nextId = 1;
  const send = (task: WorkTask) => {
    if (!current?.alive) current = startLogWorker(file);
    return current.run({ ...task, id: nextId++ });
  };
  return {
    write: async (batch) => void (await send({ kind: 'write', batch })),
    deleteBefore: (cutoff) => send({ kind: 'deleteBefore', cutoff }),
    close: async () => current?.close(),
  };
}

interface LogWorker {
  readonly alive: boolean;
  run(task: Exclude<LogTask, { kind: 'close' }>): Promise<number>;
  close(): Promise<void>;
}

interface Waiting {
  readonly resolve: (changes: number) => void;
  readonly reject: (error: Error) => void;
}

/** One worker thread and the tasks it holds: when it dies, exactly those are rejected. */
function startLogWorker(file: string): LogWorker {
  const worker = new Worker(new URL('./sqlite-log-worker.js', import.meta.url), { workerData: { file } });
  worker.unref();
  const waiting = new Map<number, Waiting>();
  let alive = true;
  let failure = new Error('request log writer stopped');
  worker.on('message', (answer: LogTaskAnswer) => {
    const entry = waiting.get(answer.id);
    waiting.delete(answer.id);
    if (waiting.size === 0) worker.unref();
    if (answer.ok) entry?.resolve(answer.changes);
    else entry?.reject(new Error(`request log: ${answer.message}`));
  });
  worker.on('error', (error) => {
    failure = new Error(`request log writer failed: ${error instanceof Error ? error.message : String(error)}`);
  });
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      alive = false;
      for (const entry of waiting.values()) entry.reject(failure);
      waiting.clear();
      resolve();
    }),
  );
  return {
    get alive() {
      return alive;
    },
    run: (task) =>
      new Promise<number>((resolve, reject) => {
        waiting.set(task.id, { resolve, reject });
        worker.ref();
        // A batch's buffer moves to the worker without a copy (and is empty here after).
        worker.postMessage(task satisfies LogTask, task.kind === 'write' ? [task.batch.bytes.buffer] : []);
      }),
    async close() {
      if (!alive) return;
      worker.ref(); // until it has closed its connection
      worker.postMessage({ kind: 'close' } satisfies LogTask);
      await exited;
    },
  };
}
