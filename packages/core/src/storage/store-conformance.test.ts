import { it } from 'node:test';
import assert from 'node:assert/strict';
import { sql, ident } from '../sql/sql.js';
import { forEachStore } from '../testing/test-stores.fixture.js';
import { UniqueViolationError } from '../store/store-errors.js';

forEachStore((name, open) => {
  it('reads back what a committed transaction wrote', async () => {
    const { store, cleanup } = await open();
    try {
      await store.exec(
        `CREATE TABLE "items" ("id" TEXT PRIMARY KEY NOT NULL, "n" ${store.dialect.columnDefinition('number')})`,
      );
      await store.transaction(async (tx) => {
        await tx.run(sql`INSERT INTO ${ident('items')} ("id", "n") VALUES (${'a'}, ${1.5})`);
      });
      assert.deepEqual(await store.all(sql`SELECT "id", "n" FROM "items"`), [{ id: 'a', n: 1.5 }]);
    } finally {
      await cleanup();
    }
  });

  it('keeps nothing of a transaction that throws', async () => {
    const { store, cleanup } = await open();
    try {
      await store.exec(`CREATE TABLE "items" ("id" TEXT PRIMARY KEY NOT NULL)`);
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.run(sql`INSERT INTO "items" ("id") VALUES (${'a'})`);
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.deepEqual(await store.all(sql`SELECT "id" FROM "items"`), []);
    } finally {
      await cleanup();
    }
  });

  it('hides uncommitted writes from reads outside the transaction', async () => {
    const { store, cleanup } = await open();
    try {
      await store.exec(`CREATE TABLE "items" ("id" TEXT PRIMARY KEY NOT NULL)`);
      let seenInside: unknown[] = [];
      await store.transaction(async (tx) => {
        await tx.run(sql`INSERT INTO "items" ("id") VALUES (${'a'})`);
        seenInside = await store.all(sql`SELECT "id" FROM "items"`);
      });
      assert.deepEqual(seenInside, []);
      assert.equal((await store.all(sql`SELECT "id" FROM "items"`)).length, 1);
    } finally {
      await cleanup();
    }
  });

  it('reports a duplicate key as UniqueViolationError', async () => {
    const { store, cleanup } = await open();
    try {
      await store.exec(`CREATE TABLE "items" ("id" TEXT PRIMARY KEY NOT NULL)`);
      await store.run(sql`INSERT INTO "items" ("id") VALUES (${'a'})`);
      await assert.rejects(store.run(sql`INSERT INTO "items" ("id") VALUES (${'a'})`), UniqueViolationError);
    } finally {
      await cleanup();
    }
  });

  it(`binds values as parameters, never as SQL text (${name})`, async () => {
    const { store, cleanup } = await open();
    try {
      await store.exec(`CREATE TABLE "items" ("id" TEXT PRIMARY KEY NOT NULL)`);
      const hostile = `x'); DROP TABLE "items"; --`;
      await store.run(sql`INSERT INTO "items" ("id") VALUES (${hostile})`);
      assert.deepEqual(await store.all(sql`SELECT "id" FROM "items"`), [{ id: hostile }]);
    } finally {
      await cleanup();
    }
  });
});
