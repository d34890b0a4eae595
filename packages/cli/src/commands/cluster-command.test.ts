import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTempDir, createTestPostgresDatabase, postgresSkipReason } from '@tandem/core/testing';
import { runTandem } from '../testing/spawn-tandem.fixture.js';

describe('tandem cluster', () => {
  it('prints its help', async () => {
    const result = await runTandem(['cluster', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /--instances N/);
  });

  it('refuses to start without a Redis, or with a SQLite database', async () => {
    const withoutRedis = await runTandem(['cluster', '--db', 'postgres://u@127.0.0.1:1/d']);
    assert.equal(withoutRedis.code, 2);
    assert.match(withoutRedis.stderr, /needs --redis/);
    const onSqlite = await runTandem(['cluster', '--redis', 'redis://127.0.0.1:6379', '--db', 'x.db']);
    assert.equal(onSqlite.code, 2);
    assert.match(onSqlite.stderr, /needs a PostgreSQL database/);
  });

  it('refuses an instance count outside 1 to 32', async () => {
    const db = ['--db', 'postgres://u@127.0.0.1:1/d', '--redis', 'redis://127.0.0.1:6379'];
    for (const count of ['0', '33', 'many']) {
      const result = await runTandem(['cluster', '--instances', count, ...db]);
      assert.equal(result.code, 2, count);
      assert.match(result.stderr, /--instances must be a whole number from 1 to 32/);
    }
  });
});

describe('tandem serve --redis', { skip: postgresSkipReason }, () => {
  it('stops with one clear line when the Redis cannot be reached', async () => {
    const database = await createTestPostgresDatabase();
    const dir = await createTempDir();
    try {
      const args = ['serve', '--http', '127.0.0.1:0', '--no-grpc', '--dir', dir.path, '--db', database.url];
      const result = await runTandem([...args, '--redis', 'redis://:secret@127.0.0.1:1']);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /cannot reach redis redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
      assert.doesNotMatch(result.stderr, /secret/);
    } finally {
      await dir.remove();
      await database.drop();
    }
  });
});
