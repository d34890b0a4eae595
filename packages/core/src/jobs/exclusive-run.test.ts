import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RedisJobLease } from '../cluster/redis-job-lease.js';
import { isAppError } from '../errors/app-error.js';
import { deleteRedisKeys, openTestRedis, redisSkipReason, testRedisPrefix } from '../testing/test-redis.fixture.js';
import { runExclusively } from './exclusive-run.js';

describe('runExclusively', { skip: redisSkipReason }, () => {
  it('runs the work of two instances one after the other, never together', async () => {
    const prefix = testRedisPrefix();
    const [a, b] = [await openTestRedis(prefix), await openTestRedis(prefix)];
    try {
      const events: string[] = [];
      const work = (who: string) => async () => {
        events.push(`${who} starts`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        events.push(`${who} ends`);
        return who;
      };
      const results = await Promise.all([
        runExclusively(new RedisJobLease(a), 'migrations', work('A'), { pollMs: 20 }),
        runExclusively(new RedisJobLease(b), 'migrations', work('B'), { pollMs: 20 }),
      ]);
      assert.deepEqual(results, ['A', 'B']);
      // Whichever went first, the other started only after it ended.
      assert.ok(events[1]!.endsWith('ends') && events[2]!.endsWith('starts'), events.join(', '));
    } finally {
      a.close();
      b.close();
      await deleteRedisKeys(prefix);
    }
  });

  it('gives up with UNAVAILABLE when another instance keeps the lease', async () => {
    const prefix = testRedisPrefix();
    const [a, b] = [await openTestRedis(prefix), await openTestRedis(prefix)];
    try {
      assert.equal(await new RedisJobLease(a).acquire('migrations', 60_000), true);
      await assert.rejects(
        runExclusively(new RedisJobLease(b), 'migrations', async () => 'ran', { waitMs: 100, pollMs: 20 }),
        (error: unknown) => isAppError(error) && error.code === 'UNAVAILABLE',
      );
    } finally {
      a.close();
      b.close();
      await deleteRedisKeys(prefix);
    }
  });
});
