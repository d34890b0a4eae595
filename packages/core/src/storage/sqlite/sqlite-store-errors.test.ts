import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from '../../sql/sql.js';
import type { Store } from '../../store/store.js';
import { StoreFullError, UniqueViolationError } from '../../store/store-errors.js';
import { createTempDir } from '../../testing/test-databases.fixture.js';
import { createSqliteStore } from './sqlite-store.js';

/**
 * SQLite answers SQLITE_FULL both when the disk is full and when the file reaches
 * `max_page_count`; the second stands in for the first here (serve-full-disk.test.ts in
 * the CLI fills a real disk).
 */
describe('the SQLite store when the database cannot grow', () => {
  let dir: Awaited<ReturnType<typeof createTempDir>>;
  let writer: Database.Database;
  let store: Store;
  const big = 'x'.repeat(64 * 1024);

  before(async () => {
    dir = await createTempDir();
    const file = join(dir.path, 'data.db');
    writer = new Database(file);
    store = createSqliteStore({ writer, reader: new Database(file) });
    await store.exec('CREATE TABLE "items" ("id" TEXT PRIMARY KEY NOT NULL, "body" TEXT)');
    await store.run(sql`INSERT INTO "items" ("id", "body") VALUES (${'kept'}, ${'small'})`);
    writer.pragma(`max_page_count = ${writer.pragma('page_count', { simple: true })}`);
  });
  after(async () => {
    await store.close();
    await dir.remove();
  });

  it('reports a write that needs more space as StoreFullError, alone, in a transaction and as DDL', async () => {
    await assert.rejects(store.run(sql`INSERT INTO "items" ("id", "body") VALUES (${'a'}, ${big})`), StoreFullError);
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.run(sql`UPDATE "items" SET "body" = ${'changed'} WHERE "id" = ${'kept'}`);
        await tx.all(sql`INSERT INTO "items" ("id", "body") VALUES (${'b'}, ${big}) RETURNING "id"`);
      }),
      StoreFullError,
    );
    await assert.rejects(
      store.exec(
        `CREATE TABLE "more" ("id" TEXT, "body" TEXT DEFAULT '${big}'); INSERT INTO "more" ("id") VALUES ('m')`,
      ),
      StoreFullError,
    );
  });

  it('answers a failing statement with a rejected promise, never by throwing while called', async () => {
    const calls = [
      () => store.first(sql`SELECT * FROM "missing"`),
      () => store.all(sql`SELECT * FROM "missing"`),
      () => store.run(sql`DELETE FROM "missing"`),
      () => store.exec('DROP TABLE "missing"'),
    ];
    for (const call of calls) {
      let answer: Promise<unknown> | undefined;
      assert.doesNotThrow(() => {
        answer = call();
      });
      await assert.rejects(answer!, /no such table/);
    }
    await assert.rejects(
      store.run(sql`INSERT INTO "items" ("id", "body") VALUES (${'kept'}, ${'again'})`),
      UniqueViolationError,
    );
  });

  it('keeps reads working and nothing of the refused writes', async () => {
    assert.deepEqual(await store.all(sql`SELECT "id", "body" FROM "items"`), [{ id: 'kept', body: 'small' }]);
    assert.equal(writer.pragma('integrity_check', { simple: true }), 'ok');
  });

  it('writes again once there is space', async () => {
    writer.pragma('max_page_count = 1073741823');
    await store.run(sql`INSERT INTO "items" ("id", "body") VALUES (${'a'}, ${big})`);
    assert.equal((await store.all(sql`SELECT "id" FROM "items"`)).length, 2);
  });
});
