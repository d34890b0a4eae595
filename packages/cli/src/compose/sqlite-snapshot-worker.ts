// Runs in a worker thread, over a read-only connection of its own, so the server's event
// loop never waits for it:
// - `snapshot`: copies the database with `VACUUM INTO`. The copy is one read
//   transaction, so it is a consistent snapshot while the server goes on writing (WAL).
// - `check`: answers whether a database file passes `PRAGMA quick_check` and holds
//   Tandem's collections table (a restore refuses anything else).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { task, source, target } = workerData as { task: 'snapshot' | 'check'; source: string; target?: string };
const db = new Database(source, { readonly: true, fileMustExist: true });
try {
  db.pragma('busy_timeout = 10000');
  if (task === 'snapshot') {
    db.prepare('VACUUM INTO ?').run(target);
    parentPort?.postMessage(true);
  } else {
    const ok = db.pragma('quick_check', { simple: true }) === 'ok';
    const tandem = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_collections'").get();
    parentPort?.postMessage(ok && tandem !== undefined);
  }
} finally {
  db.close();
}
