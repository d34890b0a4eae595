import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryRateLimiter } from './memory-rate-limiter.js';

const MINUTE = 60_000;
// A window-aligned start, so "t = 0" is the beginning of a fixed window.
const T0 = 1_000 * MINUTE;

describe('createMemoryRateLimiter', () => {
  it('allows `limit` attempts in a window and counts down remaining', () => {
    const limiter = createMemoryRateLimiter();
    const verdicts = Array.from({ length: 5 }, (_, i) => limiter.hit('ip:1', 5, MINUTE, T0 + i));
    assert.deepEqual(
      verdicts.map((v) => [v.allowed, v.remaining, v.retryAfterMs]),
      [
        [true, 4, 0],
        [true, 3, 0],
        [true, 2, 0],
        [true, 1, 0],
        [true, 0, 0],
      ],
    );
  });

  it('refuses the attempt beyond the limit with a retry-after, and does not count it', () => {
    const limiter = createMemoryRateLimiter();
    for (let i = 0; i < 5; i++) limiter.hit('ip:1', 5, MINUTE, T0);
    const refused = limiter.hit('ip:1', 5, MINUTE, T0 + 1000);
    assert.equal(refused.allowed, false);
    assert.equal(refused.remaining, 0);
    assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 2 * MINUTE, `${refused.retryAfterMs}`);
    for (let i = 0; i < 20; i++) limiter.hit('ip:1', 5, MINUTE, T0 + 2000);
    assert.equal(limiter.hit('ip:1', 5, MINUTE, T0 + 2000).retryAfterMs, refused.retryAfterMs - 1000);
  });

  it('allows again exactly when retry-after says, not a millisecond earlier', () => {
    const cases: Array<[string, number[]]> = [
      ['a full window at its start', [0, 0, 0, 0, 0]],
      ['a full window near its end', [50_000, 50_000, 50_000, 50_000, 50_000]],
      ['attempts spread over two windows', [40_000, 45_000, 50_000, 65_000, 70_000]],
    ];
    for (const [name, times] of cases) {
      const limiter = createMemoryRateLimiter();
      for (const t of times) assert.ok(limiter.hit('k', 5, MINUTE, T0 + t).allowed, `${name}: setup at ${t}`);
      const last = T0 + times.at(-1)!;
      const { allowed, retryAfterMs } = limiter.hit('k', 5, MINUTE, last);
      assert.equal(allowed, false, name);
      assert.equal(limiter.hit('k', 5, MINUTE, last + retryAfterMs - 1).allowed, false, `${name}: 1 ms early`);
      assert.equal(limiter.hit('k', 5, MINUTE, last + retryAfterMs).allowed, true, `${name}: after ${retryAfterMs} ms`);
    }
  });

  it('gives no double allowance at a window boundary', () => {
    const limiter = createMemoryRateLimiter();
    for (let i = 0; i < 5; i++) assert.ok(limiter.hit('k', 5, MINUTE, T0 + MINUTE - 1).allowed);
    // A fixed window would allow five more a millisecond later.
    assert.equal(limiter.hit('k', 5, MINUTE, T0 + MINUTE).allowed, false);
  });

  it('forgets attempts once they leave the sliding window', () => {
    const limiter = createMemoryRateLimiter();
    for (let i = 0; i < 5; i++) limiter.hit('k', 5, MINUTE, T0);
    assert.equal(limiter.hit('k', 5, MINUTE, T0 + 2 * MINUTE).remaining, 4);
  });

  it('keeps keys apart', () => {
    const limiter = createMemoryRateLimiter();
    for (let i = 0; i < 3; i++) limiter.hit('a', 3, MINUTE, T0);
    assert.equal(limiter.hit('a', 3, MINUTE, T0).allowed, false);
    assert.equal(limiter.hit('b', 3, MINUTE, T0).allowed, true);
  });

  it('refuses everything for a limit of 0', () => {
    const limiter = createMemoryRateLimiter();
    assert.deepEqual(limiter.hit('k', 0, MINUTE, T0), { allowed: false, remaining: 0, retryAfterMs: MINUTE });
  });

  it('drops keys whose windows have passed', () => {
    const limiter = createMemoryRateLimiter();
    for (let i = 0; i < 1000; i++) limiter.hit(`ip:${i}`, 5, MINUTE, T0 + i);
    assert.equal(limiter.size, 1000);
    limiter.hit('later', 5, MINUTE, T0 + 3 * MINUTE);
    assert.equal(limiter.size, 1);
  });

  it('keeps at most maxKeys, forgetting the least recently used first', () => {
    const limiter = createMemoryRateLimiter({ maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) limiter.hit(key, 1, MINUTE, T0);
    limiter.hit('a', 1, MINUTE, T0 + 1);
    limiter.hit('d', 1, MINUTE, T0 + 2);
    assert.equal(limiter.size, 3);
    // 'b' was forgotten, so it may try again; 'a' (used recently) is still limited.
    assert.equal(limiter.hit('b', 1, MINUTE, T0 + 3).allowed, true);
    assert.equal(limiter.hit('a', 1, MINUTE, T0 + 4).allowed, false);
  });
});
