import { Worker } from 'node:worker_threads';
import type { DatabaseSnapshot } from '@tandem/core';

/** Snapshots of the SQLite file `source`, each taken in a worker thread (see sqlite-snapshot-worker.ts). */
export function sqliteSnapshot(source: string): DatabaseSnapshot {
  return {
    write: (target) =>
      new Promise((done, fail) => {
        const worker = new Worker(new URL('./sqlite-snapshot-worker.js', import.meta.url), {
          workerData: { source, target },
        });
        worker.once('error', fail);
        worker.once('exit', (code) =>
          code === 0 ? done() : fail(new Error(`the database snapshot stopped with code ${code}`)),
        );
      }),
  };
}
