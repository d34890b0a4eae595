import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { sql } from '../../sql/sql.js';
import type { Executor } from '../../store/store.js';
import { createTestPostgresDatabase, postgresSkipReason } from '../../testing/test-databases.fixture.js';
import { createPostgresStore } from './postgres-store.js';

/** The statements this session (the transaction's connection) prepared by name. */
async function preparedTexts(tx: Executor): Promise<string[]> {
  const rows = await tx.all<{ statement: string }>(
    sql`SELECT "statement" FROM pg_prepared_statements WHERE "name" LIKE ${'tandem_%'}`,
  );
  return rows.map((row) => row.statement);
}

describe('the PostgreSQL store prepares frequent statements by name', { skip: postgresSkipReason }, () => {
  let database: Awaited<ReturnType<typeof createTestPostgresDatabase>>;
  let pool: pg.Pool;

  before(async () => {
    database = await createTestPostgresDatabase();
    // One connection: every call meets the statements prepared before it.
    pool = new pg.Pool({ connectionString: database.url, max: 1 });
    pool.on('error', () => undefined);
  });
  after(async () => {
    await pool.end();
    await database.drop();
  });

  it('prepares a statement sent three times, and never a one-off one', async () => {
    const store = createPostgresStore({ pool });
    await store.exec('CREATE TABLE "notes" ("id" TEXT PRIMARY KEY, "body" TEXT NOT NULL)');
    await store.run(sql`INSERT INTO "notes" ("id", "body") VALUES (${'a'}, ${'first'})`);
    await store.transaction(async (tx) => {
      for (let i = 0; i < 3; i++) await tx.first(sql`SELECT "body" FROM "notes" WHERE "id" = ${'a'}`);
      await tx.first(sql`SELECT "id" FROM "notes" WHERE "body" = ${'once'}`);
      const texts = await preparedTexts(tx);
      assert.ok(
        texts.some((text) => text.includes('SELECT "body" FROM "notes"')),
        texts.join('\n'),
      );
      assert.ok(!texts.some((text) => text.includes('WHERE "body" =')), 'a statement sent once stays unnamed');
    });
  });

  it('answers right after a schema change made through the store that changes a result type', async () => {
    const store = createPostgresStore({ pool });
    await store.exec('CREATE TABLE "marks" ("id" TEXT PRIMARY KEY, "v" TEXT)');
    await store.run(sql`INSERT INTO "marks" ("id", "v") VALUES (${'a'}, ${'7'})`);
    const read = () => store.first<{ v: unknown }>(sql`SELECT "v" FROM "marks" WHERE "id" = ${'a'}`);
    for (let i = 0; i < 5; i++) assert.equal((await read())?.v, '7');
    await store.exec('ALTER TABLE "marks" ALTER COLUMN "v" TYPE INTEGER USING "v"::integer');
    assert.equal((await read())?.v, 7, 'the same text, prepared anew, answers the new type');
  });

  it('recovers after one failure when another process changes a result type', async () => {
    const store = createPostgresStore({ pool });
    await store.exec('CREATE TABLE "scores" ("id" TEXT PRIMARY KEY, "v" TEXT)');
    await store.run(sql`INSERT INTO "scores" ("id", "v") VALUES (${'a'}, ${'3'})`);
    const read = () => store.first<{ v: unknown }>(sql`SELECT "v" FROM "scores" WHERE "id" = ${'a'}`);
    for (let i = 0; i < 5; i++) await read();
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      await other.query('ALTER TABLE "scores" ALTER COLUMN "v" TYPE INTEGER USING "v"::integer');
    } finally {
      await other.end();
    }
    await assert.rejects(read(), /cached plan must not change result type/);
    assert.equal((await read())?.v, 3, 'the next call prepares the text under a new name');
  });
});
