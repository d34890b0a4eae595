import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EtagCache, etagCacheKey } from './etag-cache.js';

describe('EtagCache', () => {
  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = new EtagCache({ maxEntries: 2 });
    cache.set('a', '"1"', 'A');
    cache.set('b', '"2"', 'B');
    cache.get('a');
    cache.set('c', '"3"', 'C');
    assert.deepEqual([cache.get('a')?.text, cache.get('b'), cache.get('c')?.text], ['A', undefined, 'C']);
  });

  it('stays within maxBytes and skips a body larger than the budget', () => {
    const cache = new EtagCache({ maxBytes: 100 });
    cache.set('a', '"1"', 'x'.repeat(20));
    cache.set('b', '"2"', 'y'.repeat(20));
    assert.equal(cache.size, 2);
    assert.ok(cache.bytes <= 100);
    cache.set('c', '"3"', 'z'.repeat(30));
    assert.ok(cache.bytes <= 100);
    assert.equal(cache.get('a'), undefined);
    cache.set('huge', '"4"', 'h'.repeat(1000));
    assert.equal(cache.get('huge'), undefined);
  });

  it('replaces an entry in place and keeps the byte count exact', () => {
    const cache = new EtagCache();
    cache.set('a', '"1"', 'old');
    cache.set('a', '"2"', 'new');
    assert.deepEqual(cache.get('a'), { etag: '"2"', text: 'new' });
    assert.equal(cache.bytes, (1 + 3) * 2);
    cache.clear();
    assert.deepEqual([cache.size, cache.bytes], [0, 0]);
  });

  it('keys by identity and URL, so two tokens never share an entry', () => {
    assert.notEqual(etagCacheKey('token:a', '/x'), etagCacheKey('token:b', '/x'));
  });
});
