/**
 * The reader connection's turn snapshot (turn-snapshot.ts) over real SQLite files: the
 * reads of a turn share a read transaction, which never hides this process's own writes
 * and ends with the turn.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { sql } from '../../sql/sql.js';
import type { Store } from '../../store/store.js';
import { createTempDir } from '../../testing/test-databases.fixture.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite-driver.js';
import { createSqliteStore } from './sqlite-store.js';
import { TurnSnapshot } from './turn-snapshot.js';

describe('the SQLite reader within a turn', () => {
  let dir: { path: string; remove(): Promise<void> };
  let reader: Database.Database;
  let store: Store;
  let file: string;
  beforeEach(async () => {
    dir = await createTempDir();
    file = join(dir.path, 'data.db');
    reader = new Database(file);
    store = createSqliteStore({ writer: new Database(file), reader });
    await store.exec('CREATE TABLE "notes" ("id" TEXT PRIMARY KEY, "n" INTEGER)');
  });
  afterEach(async () => {
    await store.close();
    await dir.remove();
  });

  const count = () => Number(store.firstNow!<{ n: number }>(sql`SELECT COUNT(*) AS "n" FROM "notes"`)!.n);
  const insert = (id: string) => store.run(sql`INSERT INTO "notes" ("id", "n") VALUES (${id}, 1)`);

  it('shares one read transaction between the reads of a turn, and ends it with the turn', async () => {
    assert.equal(count(), 0);
    assert.equal(reader.inTransaction, true, 'the first read opened it');
    assert.equal(count(), 0);
    await nextTurn();
    assert.equal(reader.inTransaction, false, 'ended after the turn');
  });

  it("sees this process's write once it is acknowledged, though a read opened the snapshot before", async () => {
    assert.equal(count(), 0);
    await insert('a');
    assert.equal(count(), 1);
    await store.transaction(async (tx) => {
      await tx.run(sql`INSERT INTO "notes" ("id", "n") VALUES ('b', 1)`);
      // A read elsewhere while the transaction is open sees what was committed before it.
      assert.equal(count(), 1);
    });
    assert.equal(count(), 2);
  });

  it('sees a write in the continuation of every member of a group commit', async () => {
    assert.equal(count(), 0);
    const seen = await Promise.all(
      ['a', 'b', 'c'].map((id) =>
        store
          .transaction(async (tx) => {
            await tx.run(sql`INSERT INTO "notes" ("id", "n") VALUES (${id}, 1)`);
            count(); // a read while the group is open (re)opens the reader's snapshot
          })
          .then(() => count()),
      ),
    );
    assert.deepEqual(seen, [3, 3, 3]);
  });

  it("sees another connection's write by the next turn", async () => {
    assert.equal(count(), 0);
    const other = new Database(file);
    other.prepare(`INSERT INTO "notes" ("id", "n") VALUES ('x', 1)`).run();
    other.close();
    await nextTurn();
    assert.equal(count(), 1);
  });

  it('lets a checkpoint reset the WAL between turns of reads and writes', async () => {
    for (let i = 0; i < 200; i += 1) {
      count();
      await insert(`n${i}`);
      count();
    }
    await nextTurn();
    const [checkpoint] = reader.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number }>;
    assert.deepEqual([checkpoint!.busy, checkpoint!.log], [0, 0]);
  });
});

describe('TurnSnapshot when its COMMIT fails', () => {
  it('never throws, ends the transaction with a ROLLBACK, and opens a new one at the next read', async () => {
    const ran: string[] = [];
    let open = false;
    const statement = (source: string): SqliteStatement => ({
      reader: false,
      all: () => [],
      get: () => undefined,
      run: () => {
        ran.push(source);
        if (source === 'COMMIT') throw new Error('disk I/O error');
        open = source === 'BEGIN';
        return { changes: 0 };
      },
    });
    const db = {
      prepare: statement,
      get inTransaction() {
        return open;
      },
    } as unknown as SqliteDatabase;
    const snapshot = new TurnSnapshot(db);
    snapshot.hold();
    assert.doesNotThrow(() => snapshot.release());
    assert.equal(open, false);
    await nextTurn(); // the turn's own release finds nothing held
    snapshot.hold();
    assert.deepEqual(ran, ['BEGIN', 'COMMIT', 'ROLLBACK', 'BEGIN']);
    snapshot.release();
  });
});
