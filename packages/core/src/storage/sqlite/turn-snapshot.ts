import type { SqliteDatabase, SqliteStatement } from './sqlite-driver.js';

/**
 * The reads of one turn of the event loop share one read transaction of the reader
 * connection: the first read of a turn opens it, and it ends after the turn's I/O
 * callbacks (`setImmediate`), or before that when this process's writer is about to write
 * or has written.
 *
 * Why: outside a transaction each statement takes SQLite's shared lock and drops it again
 * (`fcntl` on the database file and on its `-shm` file, and the WAL index's check): about
 * 7 % of an uncached GET's CPU in a `perf` profile under load. Within one, only the
 * first statement does.
 *
 * What a read sees is unchanged for this process's own writes: the snapshot is released
 * before the writer begins and again after it commits (SqliteWriteQueue calls `release`),
 * so a read that follows a write's acknowledgement always sees it. A write committed by
 * another process (a `tandem` command beside the server) becomes visible at the next
 * turn at the latest, as if the read had come a moment earlier. A checkpoint is never
 * held back longer than a turn.
 */
export class TurnSnapshot {
  readonly #db: SqliteDatabase;
  readonly #begin: SqliteStatement;
  readonly #commit: SqliteStatement;
  readonly #rollback: SqliteStatement;
  #held = false;
  readonly #releaseLater = () => this.release();

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#begin = db.prepare('BEGIN');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
  }

  /** Called before each read: opens the turn's transaction unless one is open. */
  hold(): void {
    if (this.#held) return;
    if (!this.#db.inTransaction) this.#begin.run();
    this.#held = true;
    setImmediate(this.#releaseLater);
  }

  /**
   * Ends the turn's transaction, if one is open (a read-only one: its COMMIT writes
   * nothing). Never throws: it runs from `setImmediate` and inside the writer's queue,
   * where an error would end the process or a write. NB: should the COMMIT fail, a
   * ROLLBACK ends the transaction, so that no snapshot outlives its turn.
   */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    if (!this.#db.inTransaction) return;
    try {
      this.#commit.run();
    } catch {
      try {
        this.#rollback.run();
      } catch {
        // NB: SQLite has then ended the transaction itself, or the connection is closed.
      }
    }
  }
}
