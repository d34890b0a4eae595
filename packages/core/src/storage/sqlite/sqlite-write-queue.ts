import type { Executor } from '../../store/store.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite-driver.js';

/** Most transactions one commit takes. */
export const MAX_GROUP = 128;

/** The control statements of the writer connection, prepared once. */
export interface WriteControl {
  readonly begin: SqliteStatement;
  readonly commit: SqliteStatement;
  readonly rollback: SqliteStatement;
  readonly savepoint: SqliteStatement;
  readonly release: SqliteStatement;
  readonly rollbackToSavepoint: SqliteStatement;
}

/** Prepares the writer's control statements. */
export function prepareWriteControl(db: SqliteDatabase): WriteControl {
  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    savepoint: db.prepare('SAVEPOINT "tandem_member"'),
    release: db.prepare('RELEASE "tandem_member"'),
    rollbackToSavepoint: db.prepare('ROLLBACK TO "tandem_member"'),
  };
}

interface Waiter {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** A transaction's work, or a write that runs alone (a statement, DDL, closing). */
interface QueuedWrite extends Waiter {
  readonly transaction: ((tx: Executor) => Promise<unknown>) | undefined;
  readonly alone: (() => Promise<unknown>) | undefined;
}

/**
 * Runs the writer connection's writes one at a time, in the order they were queued, and
 * commits the transactions queued together with one COMMIT (group commit).
 *
 * Why: with `synchronous = FULL` a COMMIT waits for the disk (an fsync of the WAL, a few
 * hundred microseconds here), and better-sqlite3 waits on the event loop. A commit per
 * transaction made every create pay one fsync while every other request waited. Now the
 * transactions queued in one turn of the event loop (the queue drains from
 * `setImmediate`, after the turn's I/O callbacks have run) share one BEGIN and one COMMIT.
 *
 * What each transaction still gets, as with a commit of its own:
 * - Isolation from its neighbours' failures: each runs inside a SAVEPOINT; when its work
 *   throws, only its own writes are rolled back and only it fails.
 * - Durability before acknowledgement: its promise settles only after the COMMIT that
 *   holds its writes has returned. When that COMMIT fails (a full disk), every
 *   transaction of the group fails with the error, and none of their writes remain.
 * - Order: transactions run, and see each other's writes, in the order they were queued;
 *   a write queued alone runs between the groups before and after it.
 *
 * When SQLite itself ends the transaction during a member's work (it rolls back on a full
 * disk or an I/O error), the members already run lost their writes too: they fail with
 * that member's error, and the members not yet run start a new group.
 */
export class SqliteWriteQueue {
  readonly #db: SqliteDatabase;
  readonly #control: WriteControl;
  readonly #tx: Executor;
  readonly #translate: (error: unknown) => unknown;
  readonly #aroundWrite: () => void;
  readonly #queue: QueuedWrite[] = [];
  #draining = false;

  /**
   * @param aroundWrite runs before each write begins and after it ends (committed or not),
   *   before anyone learns of it: the reader connection's snapshot is released there.
   */
  constructor(
    db: SqliteDatabase,
    tx: Executor,
    translate: (error: unknown) => unknown,
    aroundWrite: () => void = () => undefined,
  ) {
    this.#db = db;
    this.#control = prepareWriteControl(db);
    this.#tx = tx;
    this.#translate = translate;
    this.#aroundWrite = aroundWrite;
  }

  /** Runs `work` in a transaction shared with the transactions queued beside it. */
  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    return this.#push(work, undefined) as Promise<T>;
  }

  /** Runs `task` outside any transaction, after everything queued before it. */
  alone<T>(task: () => Promise<T>): Promise<T> {
    return this.#push(undefined, task) as Promise<T>;
  }

  #push(transaction: QueuedWrite['transaction'], alone: QueuedWrite['alone']): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ transaction, alone, resolve, reject });
      if (this.#draining) return;
      this.#draining = true;
      setImmediate(() => void this.#drain());
    });
  }

  /** Runs what is queued, in order, until nothing is. NB: nothing in it throws (see #runGroup, #runAlone). */
  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const next = this.#queue[0]!;
      if (next.alone) await this.#runAlone(this.#queue.shift()!);
      else await this.#runGroup(this.#takeGroup());
    }
    this.#draining = false;
  }

  async #runAlone(write: QueuedWrite): Promise<void> {
    try {
      this.#aroundWrite();
      const value = await write.alone!();
      this.#aroundWrite();
      write.resolve(value);
    } catch (error) {
      this.#aroundWrite();
      write.reject(error);
    }
  }

  /** The transactions at the head of the queue, up to MAX_GROUP, stopping at a write that runs alone. */
  #takeGroup(): QueuedWrite[] {
    let count = 0;
    while (count < this.#queue.length && count < MAX_GROUP && this.#queue[count]!.transaction) count += 1;
    return this.#queue.splice(0, count);
  }

  async #runGroup(group: QueuedWrite[]): Promise<void> {
    const control = this.#control;
    this.#aroundWrite();
    try {
      control.begin.run();
    } catch (error) {
      return this.#failAll(group, this.#translate(error));
    }
    // NB: a transaction alone needs no savepoint: a failure rolls back all of it.
    const savepoints = group.length > 1;
    const done: Array<{ member: Waiter; value: unknown }> = [];
    for (let at = 0; at < group.length; at += 1) {
      const member = group[at]!;
      try {
        if (savepoints) control.savepoint.run();
        const value = await member.transaction!(this.#tx);
        if (savepoints) control.release.run();
        done.push({ member, value });
      } catch (error) {
        if (!savepoints) {
          this.#rollback();
          return member.reject(error);
        }
        // SQLite may have ended the whole transaction (it rolls back on a full disk or
        // an I/O error), or the savepoint may not roll back: then the members before lost
        // their writes too, and the members not yet run start a new group.
        if (!this.#db.inTransaction || !this.#undoSavepoint()) {
          this.#rollback();
          this.#failAll([...done.map((d) => d.member), member], this.#translate(error));
          this.#queue.unshift(...group.slice(at + 1));
          return;
        }
        member.reject(error);
      }
    }
    try {
      control.commit.run();
    } catch (error) {
      this.#rollback();
      return this.#failAll(
        done.map((d) => d.member),
        this.#translate(error),
      );
    }
    // NB: before the members learn of the commit: a read in their continuations must see it.
    this.#aroundWrite();
    for (const { member, value } of done) member.resolve(value);
  }

  /** Rolls back the member's savepoint; false when SQLite refused. */
  #undoSavepoint(): boolean {
    try {
      this.#control.rollbackToSavepoint.run();
      this.#control.release.run();
      return true;
    } catch {
      return false;
    }
  }

  /** Rolls back whatever is open; a ROLLBACK that fails leaves nothing more to undo. */
  #rollback(): void {
    try {
      if (this.#db.inTransaction) this.#control.rollback.run();
    } catch {
      // NB: SQLite has then ended the transaction itself.
    }
  }

  #failAll(members: readonly Waiter[], error: unknown): void {
    for (const member of members) member.reject(error);
  }
}
