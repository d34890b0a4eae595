import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '../../sql/sql.js';
import { StoreFullError, StoreUnavailableError, UniqueViolationError } from '../../store/store-errors.js';
import type { PostgresClient, PostgresPool } from './postgres-driver.js';
import { createPostgresStore } from './postgres-store.js';

/** A PostgreSQL error as `pg` reports it: a message and the SQLSTATE in `code`. */
function pgError(code: string, message = `error ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

/** A pool whose every statement matching `failing` fails with `error` (the rest answer no rows). */
function failingPool(
  error: Error,
  failing: RegExp = /./,
): PostgresPool & { released: Array<Error | boolean | undefined> } {
  const released: Array<Error | boolean | undefined> = [];
  const query = async (statement: string | { text: string }) => {
    if (failing.test(typeof statement === 'string' ? statement : statement.text)) throw error;
    return { rows: [], rowCount: 0 };
  };
  const client: PostgresClient = { query, release: (reason) => void released.push(reason) };
  return { query, connect: async () => client, end: async () => undefined, released };
}

const write = sql`INSERT INTO "items" ("id") VALUES (${'a'})`;

describe('the PostgreSQL store maps SQLSTATEs to store errors', () => {
  const cases: Array<[string, string, new (...args: never[]) => Error]> = [
    ['53100 disk_full', '53100', StoreFullError],
    ['53200 out_of_memory', '53200', StoreUnavailableError],
    ['53300 too_many_connections', '53300', StoreUnavailableError],
    ['53400 configuration_limit_exceeded', '53400', StoreUnavailableError],
    ['23505 unique_violation', '23505', UniqueViolationError],
    ['57P01 admin_shutdown', '57P01', StoreUnavailableError],
  ];
  for (const [name, code, expected] of cases) {
    it(`${name} → ${expected.name}, for a statement and for DDL`, async () => {
      const store = createPostgresStore({ pool: failingPool(pgError(code)) });
      await assert.rejects(store.run(write), expected);
      await assert.rejects(store.all(sql`SELECT 1`), expected);
      await assert.rejects(store.exec('CREATE TABLE "x" ("id" TEXT)'), expected);
    });
  }

  it('maps a disk_full at COMMIT, and rolls the transaction back', async () => {
    const pool = failingPool(pgError('53100', 'could not extend file: No space left on device'), /^COMMIT$/);
    const store = createPostgresStore({ pool });
    await assert.rejects(
      store.transaction((tx) => tx.run(write)),
      StoreFullError,
    );
    assert.deepEqual(pool.released, [undefined], 'the connection went back to the pool after ROLLBACK');
  });

  it('leaves other errors as they are', async () => {
    const error = pgError('42P01', 'relation "nope" does not exist');
    const store = createPostgresStore({ pool: failingPool(error) });
    await assert.rejects(store.all(sql`SELECT * FROM "nope"`), (thrown) => thrown === error);
  });
});
