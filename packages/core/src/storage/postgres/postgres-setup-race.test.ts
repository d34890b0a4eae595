/**
 * Processes that start together on a new PostgreSQL database, as the instances of a
 * first deploy do (or a server and a `tandem` command): PostgreSQL answers two
 * concurrent `CREATE TABLE IF NOT EXISTS` of one table with a unique violation, so each
 * process's setup must wait for the others' instead of failing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { composeCoreServices } from '../../compose/core-services.js';
import { createTestPostgresDatabase, postgresSkipReason } from '../../testing/test-databases.fixture.js';
import { createPostgresStore } from './postgres-store.js';

const PROCESSES = 6;
const ROUNDS = 3;

describe('processes starting together on a new PostgreSQL database', { skip: postgresSkipReason }, () => {
  it('all start, each on its own connections, round after round', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const database = await createTestPostgresDatabase();
      const pools = Array.from({ length: PROCESSES }, () => {
        const pool = new pg.Pool({ connectionString: database.url, max: 2 });
        pool.on('error', () => undefined);
        return pool;
      });
      try {
        const started = await Promise.allSettled(
          pools.map((pool) =>
            composeCoreServices(createPostgresStore({ pool }), {
              appInfo: () => ({ appName: 'Tandem', appUrl: 'http://127.0.0.1' }),
            }),
          ),
        );
        for (const result of started) if (result.status === 'fulfilled') result.value.stop();
        const failures = started.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
        assert.deepEqual(failures, [], `round ${round + 1}`);
        const users = await pools[0]!.query(`SELECT COUNT(*) AS "n" FROM "_collections" WHERE "name" = 'users'`);
        assert.equal(Number(users.rows[0].n), 1, 'one users collection');
      } finally {
        await Promise.all(pools.map((pool) => pool.end()));
        await database.drop();
      }
    }
  });
});
