import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Cache } from './cache.js';
import { MemoryCache } from './memory-cache.js';
import { TwoLevelCache } from '../cluster/two-level-cache.js';
import { deleteRedisKeys, openTestRedis, redisSkipReason, type TestRedis } from '../testing/test-redis.fixture.js';

let redis: TestRedis | undefined;

/**
 * Every Cache implementation, built with a byte bound. The cluster's two-level cache is
 * bounded in memory only (Redis bounds its level by lifetime), so the bound's tests are
 * for the in-process cache alone.
 */
const implementations: [string, (maxBytes: number) => Cache, { bounded: boolean; skip?: string }][] = [
  ['memory', (maxBytes) => new MemoryCache({ maxBytes }), { bounded: true }],
  [
    'two-level: memory and Redis',
    (maxBytes) => new TwoLevelCache(new MemoryCache({ maxBytes }), redis!),
    { bounded: false, skip: redisSkipReason },
  ],
];

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined) => (value === undefined ? undefined : new TextDecoder().decode(value));

for (const [name, open, { bounded, skip }] of implementations) {
  describe(`Cache port (${name})`, { skip }, () => {
    before(async () => {
      if (!bounded) redis = await openTestRedis();
    });
    after(async () => {
      redis?.close();
      if (redis) await deleteRedisKeys(redis.prefix);
    });

    it('returns what was set, and undefined for a key never set', async () => {
      const cache = open(1 << 20);
      await cache.set('a', bytes('alpha'));
      assert.equal(text(await cache.get('a')), 'alpha');
      assert.equal(await cache.get('b'), undefined);
    });

    it('replaces a value set twice', async () => {
      const cache = open(1 << 20);
      await cache.set('a', bytes('one'));
      await cache.set('a', bytes('two'));
      assert.equal(text(await cache.get('a')), 'two');
    });

    it('forgets a deleted key, and deleting a missing key is harmless', async () => {
      const cache = open(1 << 20);
      await cache.set('a', bytes('alpha'));
      await cache.delete('a');
      await cache.delete('never');
      assert.equal(await cache.get('a'), undefined);
    });

    it('keeps keys apart that differ only in case or in a separator byte', async () => {
      const cache = open(1 << 20);
      await cache.set('k\u0000a', bytes('1'));
      await cache.set('K\u0000a', bytes('2'));
      await cache.set('k\u0000A', bytes('3'));
      assert.deepEqual(
        [text(await cache.get('k\u0000a')), text(await cache.get('K\u0000a')), text(await cache.get('k\u0000A'))],
        ['1', '2', '3'],
      );
    });

    it('stays within its byte bound by evicting the least recently used entries', { skip: !bounded }, async () => {
      const cache = open(16 * 1024);
      const value = new Uint8Array(1000);
      for (let i = 0; i < 10; i++) await cache.set(`k${i}`, value);
      await cache.get('k0'); // used: it must outlive k1…
      for (let i = 10; i < 40; i++) await cache.set(`k${i}`, value);
      const kept = [];
      for (let i = 0; i < 40; i++) if (await cache.get(`k${i}`)) kept.push(i);
      assert.ok(kept.length > 0 && kept.length <= 16, `kept ${kept.length} entries of 1,000 bytes in 16 KiB`);
      assert.ok(kept.includes(39), 'the newest entry is kept');
      assert.ok(!kept.includes(1), 'an old unused entry is gone');
    });

    it('does not store a value larger than its bound', { skip: !bounded }, async () => {
      const cache = open(4096);
      await cache.set('big', new Uint8Array(8192));
      assert.equal(await cache.get('big'), undefined);
    });
  });
}

describe('MemoryCache', () => {
  it('accounts bytes exactly as entries come and go', async () => {
    const cache = new MemoryCache({ maxBytes: 1 << 20 });
    await cache.set('a', new Uint8Array(100));
    const one = cache.bytes;
    await cache.set('b', new Uint8Array(100));
    assert.equal(cache.bytes, 2 * one);
    await cache.set('a', new Uint8Array(100));
    assert.equal(cache.bytes, 2 * one);
    await cache.delete('a');
    await cache.delete('b');
    assert.equal(cache.bytes, 0);
    assert.equal(cache.size, 0);
  });

  it('gives a read entry a second chance: the oldest unread entry goes first', async () => {
    const value = new Uint8Array(1000);
    const cache = new MemoryCache({ maxBytes: 1 << 20, maxEntryBytes: 2000 });
    await cache.set('probe', value);
    const entryBytes = cache.bytes;
    const small = new MemoryCache({ maxBytes: entryBytes * 4, maxEntryBytes: 2000 });
    for (const key of ['k0', 'k1', 'k2', 'k3']) await small.set(key, value);
    assert.ok(small.getNow('k0'));
    await small.set('k4', value);
    assert.ok(small.getNow('k0'), 'k0 was read, so it outlives k1');
    assert.equal(small.getNow('k1'), undefined);
    assert.ok(small.getNow('k4'), 'the newest entry is kept');
  });

  it('keeps its byte count exact and within bound through many evictions', async () => {
    const cache = new MemoryCache({ maxBytes: 50_000 });
    let kept = 0;
    for (let i = 0; i < 2_000; i++) {
      await cache.set(`k${i % 300}`, new Uint8Array(100 + (i % 700)));
      if (i % 3 === 0) cache.getNow(`k${(i * 7) % 300}`);
      assert.ok(cache.bytes <= 50_000);
    }
    for (let i = 0; i < 300; i++) if (cache.getNow(`k${i}`)) kept++;
    assert.equal(kept, cache.size);
    for (let i = 0; i < 300; i++) await cache.delete(`k${i}`);
    assert.equal(cache.bytes, 0, 'every byte counted in was counted out');
  });

  it('prepares a stored value once, again after it is replaced, and apart for another prepare', async () => {
    const cache = new MemoryCache({ maxBytes: 1 << 20 });
    const calls: string[] = [];
    const length = (value: Uint8Array) => (calls.push('length'), { length: value.byteLength });
    const first = (value: Uint8Array) => (calls.push('first'), value[0]);
    assert.equal(cache.preparedNow('k', length), undefined);
    await cache.set('k', new Uint8Array([7, 8]));
    const prepared = cache.preparedNow('k', length);
    assert.deepEqual(prepared, { length: 2 });
    assert.equal(cache.preparedNow('k', length), prepared, 'the same object, not made again');
    assert.equal(cache.preparedNow('k', first), 7);
    await cache.set('k', new Uint8Array([9, 9, 9]));
    assert.deepEqual(cache.preparedNow('k', length), { length: 3 });
    assert.deepEqual(calls, ['length', 'first', 'length']);
  });

  it('counts a prepared read as a use: the entry outlives an unread older one', async () => {
    const value = new Uint8Array(1000);
    const probe = new MemoryCache({ maxBytes: 1 << 20, maxEntryBytes: 2000 });
    await probe.set('probe', value);
    const small = new MemoryCache({ maxBytes: probe.bytes * 2, maxEntryBytes: 2000 });
    await small.set('a', value);
    await small.set('b', value);
    assert.ok(small.preparedNow('a', (v) => v.byteLength));
    await small.set('c', value);
    assert.ok(small.getNow('a'), 'a was read');
    assert.equal(small.getNow('b'), undefined);
  });
});

describe('TwoLevelCache', { skip: redisSkipReason }, () => {
  it("answers one instance's miss from what another instance stored (Redis, the second level)", async () => {
    const shared = await openTestRedis();
    try {
      const a = new TwoLevelCache(new MemoryCache({ maxBytes: 1 << 20 }), shared);
      const b = new TwoLevelCache(new MemoryCache({ maxBytes: 1 << 20 }), shared);
      await a.set('list\u0000posts', new TextEncoder().encode('[1,2]'));
      assert.equal(new TextDecoder().decode(await b.get('list\u0000posts')), '[1,2]');
    } finally {
      shared.close();
      await deleteRedisKeys(shared.prefix);
    }
  });
});
