// Runs in a worker thread: copies the SQLite database with `VACUUM INTO` over a read-only
// connection of its own. The copy is one read transaction, so it is a consistent snapshot
// while the server's connections go on writing (WAL), and the server's event loop never
// waits for it.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { source, target } = workerData as { source: string; target: string };
const db = new Database(source, { readonly: true, fileMustExist: true });
try {
  db.pragma('busy_timeout = 10000');
  db.prepare('VACUUM INTO ?').run(target);
} finally {
  db.close();
}
parentPort?.postMessage('done');
