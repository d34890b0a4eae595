import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { sql } from '../../sql/sql.js';
import { lastInTransaction } from '../../store/query-template.js';
import { storeOverTransaction } from '../../store/transaction-store.js';
import { createTestPostgresDatabase, postgresSkipReason } from '../../testing/test-databases.fixture.js';
import { recordingPool } from '../../testing/recording-pool.fixture.js';
import { createPostgresStore } from './postgres-store.js';

const notes = (id: string, body: string) => sql`INSERT INTO "notes" ("id", "body") VALUES (${id}, ${body})`;

describe('a PostgreSQL transaction whose first statement is its last', { skip: postgresSkipReason }, () => {
  let database: Awaited<ReturnType<typeof createTestPostgresDatabase>>;
  let pool: pg.Pool;

  before(async () => {
    database = await createTestPostgresDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    pool.on('error', () => undefined);
    await pool.query('CREATE TABLE "notes" ("id" TEXT PRIMARY KEY, "body" TEXT NOT NULL)');
  });
  after(async () => {
    await pool.end();
    await database.drop();
  });

  it('runs it alone, without BEGIN and COMMIT, and it is stored', async () => {
    const { pool: recording, sent } = recordingPool(pool);
    const store = createPostgresStore({ pool: recording });
    await store.transaction((tx) => tx.run(lastInTransaction(notes('alone', 'one'))));
    assert.deepEqual(sent, ['INSERT INTO "notes" ("id", "body") VALUES ($1, $2)']);
    assert.equal((await pool.query('SELECT "body" FROM "notes" WHERE "id" = $1', ['alone'])).rows[0]?.body, 'one');
  });

  it('sends BEGIN before the first statement otherwise, and COMMIT after the last', async () => {
    const { pool: recording, sent } = recordingPool(pool);
    const store = createPostgresStore({ pool: recording });
    await store.transaction(async (tx) => {
      await tx.run(notes('pair-1', 'one'));
      await tx.run(lastInTransaction(notes('pair-2', 'two')));
    });
    assert.deepEqual(
      sent.map((text) => text.split(' ')[0]),
      ['BEGIN', 'INSERT', 'INSERT', 'COMMIT'],
    );
  });

  it('refuses a statement sent after the last, and rolls back what the transaction began', async () => {
    const store = createPostgresStore({ pool });
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.run(notes('late-1', 'one'));
        await tx.run(lastInTransaction(notes('late-2', 'two')));
        await tx.run(notes('late-3', 'three'));
      }),
      /after the one marked as its transaction's last/,
    );
    const rows = await pool.query(`SELECT "id" FROM "notes" WHERE "id" LIKE 'late-%'`);
    assert.equal(rows.rowCount, 0);
  });

  it('does not let a nested transaction end the outer one: the mark goes, and a rollback undoes it all', async () => {
    const store = createPostgresStore({ pool });
    await assert.rejects(
      store.transaction(async (tx) => {
        const nested = storeOverTransaction(tx);
        await nested.transaction((inner) => inner.run(lastInTransaction(notes('nested-1', 'one'))));
        await tx.run(notes('nested-2', 'two'));
        throw new Error('the outer work fails');
      }),
      /the outer work fails/,
    );
    const rows = await pool.query(`SELECT "id" FROM "notes" WHERE "id" LIKE 'nested-%'`);
    assert.equal(rows.rowCount, 0, 'neither insert stayed');
  });

  it('leaves nothing when the lone statement fails, and the connection serves the next transaction', async () => {
    const store = createPostgresStore({ pool });
    await store.transaction((tx) => tx.run(lastInTransaction(notes('taken', 'one'))));
    await assert.rejects(store.transaction((tx) => tx.run(lastInTransaction(notes('taken', 'two')))));
    assert.equal((await pool.query('SELECT "body" FROM "notes" WHERE "id" = $1', ['taken'])).rows[0]?.body, 'one');
    await store.transaction(async (tx) => {
      await tx.run(notes('after-1', 'x'));
      await tx.run(notes('after-2', 'y'));
    });
    assert.equal((await pool.query(`SELECT "id" FROM "notes" WHERE "id" LIKE 'after-%'`)).rowCount, 2);
  });
});
