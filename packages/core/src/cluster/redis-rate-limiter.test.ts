import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openTestRedis, redisSkipReason, startPrivateRedis, testRedisPrefix } from '../testing/test-redis.fixture.js';
import { createRedisRateLimiter } from './redis-rate-limiter.js';

describe('createRedisRateLimiter', { skip: redisSkipReason }, () => {
  it('counts attempts per instance while Redis is away, and in Redis again once it is back', async () => {
    const redis = await startPrivateRedis();
    const prefix = testRedisPrefix();
    const a = await openTestRedis(prefix, redis.url);
    const b = await openTestRedis(prefix, redis.url);
    try {
      const [limitA, limitB] = [createRedisRateLimiter(a), createRedisRateLimiter(b)];
      const allowed = async (key: string) => {
        let count = 0;
        for (let i = 0; i < 6; i++) if ((await (i % 2 ? limitA : limitB).hit(key, 4, 60_000)).allowed) count++;
        return count;
      };
      assert.equal(await allowed('shared'), 4, 'four in all over two instances');
      await redis.stop();
      // Each instance counts alone: 3 attempts each, all within its own limit of 4.
      assert.equal(await allowed('while-away'), 6, 'answers (from local counters) rather than failing');
      await redis.start();
      let back = false;
      for (let i = 0; i < 100 && !back; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        back = a.commands.status === 'ready' && b.commands.status === 'ready';
      }
      assert.equal(await allowed('after'), 4, 'shared again');
    } finally {
      a.close();
      b.close();
      await redis.stop();
    }
  });
});
