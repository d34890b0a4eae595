import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from '../../sql/sql.js';
import type { Executor, Store } from '../../store/store.js';
import { StoreFullError, UniqueViolationError } from '../../store/store-errors.js';
import { createTempDir } from '../../testing/test-databases.fixture.js';
import type { SqliteDatabase } from './sqlite-driver.js';
import { createSqliteStore } from './sqlite-store.js';
import { MAX_GROUP, SqliteWriteQueue } from './sqlite-write-queue.js';

/** The writer connection, counting the COMMITs it runs (every other call is the driver's own). */
function countingCommits(db: Database.Database): { connection: SqliteDatabase; commits: () => number } {
  let commits = 0;
  const connection: SqliteDatabase = {
    prepare(source) {
      const statement = db.prepare(source);
      if (source !== 'COMMIT') return statement;
      return {
        reader: statement.reader,
        all: (...params) => statement.all(...params),
        get: (...params) => statement.get(...params),
        run: (...params) => {
          const result = statement.run(...params);
          commits += 1;
          return result;
        },
      };
    },
    exec: (source) => db.exec(source),
    pragma: (source, options) => db.pragma(source, options),
    close: () => db.close(),
    function: (name, options, fn) => db.function(name, options, fn),
    get inTransaction() {
      return db.inTransaction;
    },
  };
  return { connection, commits: () => commits };
}

const insert = (id: string, body = '') => sql`INSERT INTO "items" ("id", "body") VALUES (${id}, ${body})`;

describe('the SQLite store commits the transactions queued together once (group commit)', () => {
  let dir: Awaited<ReturnType<typeof createTempDir>>;
  let raw: Database.Database;
  let store: Store;
  let commits: () => number;
  const ids = async () =>
    (await store.all<{ id: string }>(sql`SELECT "id" FROM "items" ORDER BY "id"`)).map((row) => row.id);

  beforeEach(async () => {
    dir = await createTempDir();
    const file = join(dir.path, 'data.db');
    raw = new Database(file);
    const counted = countingCommits(raw);
    commits = counted.commits;
    store = createSqliteStore({ writer: counted.connection, reader: new Database(file) });
    await store.exec('CREATE TABLE "items" ("id" TEXT PRIMARY KEY NOT NULL, "body" TEXT)');
  });
  afterEach(async () => {
    await store.close();
    await dir.remove();
  });

  it('runs transactions queued in one turn under one COMMIT, each seeing the writes before it', async () => {
    const seen: number[] = [];
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((id) =>
        store.transaction(async (tx) => {
          const before = await tx.first<{ n: number }>(sql`SELECT COUNT(*) AS "n" FROM "items"`);
          seen.push(Number(before?.n));
          await tx.run(insert(id));
          return id.toUpperCase();
        }),
      ),
    );
    assert.deepEqual(results, ['A', 'B', 'C', 'D']);
    assert.deepEqual(seen, [0, 1, 2, 3]);
    assert.equal(commits(), 1);
    assert.deepEqual(await ids(), ['a', 'b', 'c', 'd']);
  });

  it('settles a transaction only once its writes are committed and readable outside it', async () => {
    const visibleAtSettle = await Promise.all(
      ['a', 'b'].map(async (id) => {
        await store.transaction((tx) => tx.run(insert(id)));
        return ids();
      }),
    );
    for (const visible of visibleAtSettle) assert.deepEqual(visible, ['a', 'b']);
  });

  it('rolls back only the member whose work throws; its neighbours commit', async () => {
    const outcomes = await Promise.allSettled([
      store.transaction((tx) => tx.run(insert('a'))),
      store.transaction(async (tx) => {
        await tx.run(insert('b'));
        throw new Error('the work failed');
      }),
      store.transaction((tx) => tx.run(insert('c'))),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /the work failed/);
    assert.deepEqual(await ids(), ['a', 'c']);
    assert.equal(commits(), 1);
  });

  it('answers a unique violation to its member alone, as the store answers it outside a group', async () => {
    const outcomes = await Promise.allSettled([
      store.transaction((tx) => tx.run(insert('a'))),
      store.transaction(async (tx) => {
        await tx.run(insert('b'));
        await tx.run(insert('a'));
      }),
      store.transaction((tx) => tx.run(insert('c'))),
    ]);
    assert.ok((outcomes[1] as PromiseRejectedResult).reason instanceof UniqueViolationError);
    assert.deepEqual(await ids(), ['a', 'c']);
  });

  it('fails every member when the COMMIT fails, and keeps none of their writes', async () => {
    // A deferred foreign key is checked at COMMIT: a real COMMIT that SQLite refuses.
    await store.exec(
      'CREATE TABLE "children" ("id" TEXT PRIMARY KEY, "parent" TEXT REFERENCES "items" ("id") DEFERRABLE INITIALLY DEFERRED)',
    );
    raw.pragma('foreign_keys = ON');
    const outcomes = await Promise.allSettled([
      store.transaction((tx) => tx.run(insert('a'))),
      store.transaction((tx) => tx.run(sql`INSERT INTO "children" ("id", "parent") VALUES (${'x'}, ${'missing'})`)),
      store.transaction((tx) => tx.run(insert('c'))),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['rejected', 'rejected', 'rejected'],
    );
    for (const outcome of outcomes) assert.match(String((outcome as PromiseRejectedResult).reason), /FOREIGN KEY/);
    assert.deepEqual(await ids(), []);
    assert.equal(raw.inTransaction, false);
    // The queue goes on: the next transaction commits.
    await store.transaction((tx) => tx.run(insert('d')));
    assert.deepEqual(await ids(), ['d']);
  });

  it('keeps "resolved" and "stored" the same when the disk fills during a group', async () => {
    await store.transaction((tx) => tx.run(insert('seed', 'small')));
    raw.pragma(`max_page_count = ${raw.pragma('page_count', { simple: true })}`);
    const big = 'x'.repeat(64 * 1024);
    const planned = [
      ['a', 'small'],
      ['b', big],
      ['c', 'small'],
    ] as const;
    const outcomes = await Promise.allSettled(
      planned.map(([id, body]) => store.transaction((tx) => tx.run(insert(id, body)))),
    );
    assert.ok((outcomes[1] as PromiseRejectedResult).reason instanceof StoreFullError);
    const stored = new Set(await ids());
    planned.forEach(([id], at) => assert.equal(outcomes[at]!.status === 'fulfilled', stored.has(id), id));
    assert.equal(raw.inTransaction, false);
  });

  it('runs a write queued alone between the groups queued before and after it, in order', async () => {
    const order: string[] = [];
    const queued = [
      store.transaction(async (tx) => {
        await tx.run(insert('a'));
        order.push('tx a');
      }),
      store.run(insert('b')).then(() => order.push('run b')),
      store.transaction(async (tx) => {
        const b = await tx.first(sql`SELECT "id" FROM "items" WHERE "id" = ${'b'}`);
        order.push(b ? 'tx c saw b' : 'tx c missed b');
        await tx.run(insert('c'));
      }),
    ];
    await Promise.all(queued);
    assert.deepEqual(order, ['tx a', 'run b', 'tx c saw b']);
    assert.equal(commits(), 2);
  });

  it(`takes at most ${MAX_GROUP} transactions a commit`, async () => {
    const count = 2 * MAX_GROUP + 1;
    await Promise.all(Array.from({ length: count }, (_, i) => store.transaction((tx) => tx.run(insert(`r${i}`)))));
    assert.equal(commits(), 3);
    assert.equal((await ids()).length, count);
  });

  it('fails a write run alone that throws while called, and goes on with the next', async () => {
    const queue = new SqliteWriteQueue(raw, {} as Executor, (error) => error);
    const thrown = queue.alone((): Promise<void> => {
      throw new Error('thrown while called');
    });
    const next = queue.alone(async () => 'next ran');
    await assert.rejects(thrown, /thrown while called/);
    assert.equal(await next, 'next ran');
  });

  it('commits a transaction alone, without savepoints, as before', async () => {
    await store.transaction((tx) => tx.run(insert('a')));
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.run(insert('b'));
        throw new Error('no');
      }),
      /no/,
    );
    assert.deepEqual(await ids(), ['a']);
    assert.equal(commits(), 1);
  });
});
