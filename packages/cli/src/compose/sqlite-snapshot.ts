import { Worker } from 'node:worker_threads';
import type { DatabaseSnapshot } from '@tandem/core';

/** Snapshots and checks of SQLite files, each run in a worker thread (see sqlite-snapshot-worker.ts). */
export function sqliteSnapshot(source: string): DatabaseSnapshot {
  return {
    write: async (target) => void (await inWorker({ task: 'snapshot', source, target })),
    check: async (file) => {
      try {
        return (await inWorker({ task: 'check', source: file })) === true;
      } catch {
        return false; // not a database at all
      }
    },
  };
}

function inWorker(workerData: { task: 'snapshot' | 'check'; source: string; target?: string }): Promise<unknown> {
  return new Promise((done, fail) => {
    const worker = new Worker(new URL('./sqlite-snapshot-worker.js', import.meta.url), { workerData });
    let answer: unknown;
    worker.once('message', (message) => void (answer = message));
    worker.once('error', fail);
    worker.once('exit', (code) =>
      code === 0 ? done(answer) : fail(new Error(`the database ${workerData.task} stopped with code ${code}`)),
    );
  });
}
