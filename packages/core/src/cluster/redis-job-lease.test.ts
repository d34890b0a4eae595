import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deleteRedisKeys, openTestRedis, redisSkipReason, testRedisPrefix } from '../testing/test-redis.fixture.js';
import { RedisJobLease } from './redis-job-lease.js';

describe('RedisJobLease', { skip: redisSkipReason }, () => {
  it('frees a lease whose holder stopped renewing it once it expires', async () => {
    const prefix = testRedisPrefix();
    const [a, b] = [await openTestRedis(prefix), await openTestRedis(prefix)];
    try {
      const [leaseA, leaseB] = [new RedisJobLease(a), new RedisJobLease(b)];
      assert.equal(await leaseA.acquire('backup', 100), true);
      assert.equal(await leaseB.acquire('backup', 100), false);
      // Well past the lease's 100 ms: the holder "died" without releasing it.
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(await leaseB.acquire('backup', 60_000), true);
      assert.equal(await leaseA.acquire('backup', 60_000), false);
    } finally {
      a.close();
      b.close();
      await deleteRedisKeys(prefix);
    }
  });
});
