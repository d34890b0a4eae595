import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, webcrypto } from 'node:crypto';
import { HmacKeyCache } from './hmac-key-cache.js';

const signWith = async (key: webcrypto.CryptoKey, text: string) =>
  Buffer.from(await webcrypto.subtle.sign('HMAC', key, new TextEncoder().encode(text))).toString('base64url');

describe('HmacKeyCache', () => {
  it('imports a key string once and hands out the same key afterwards', async () => {
    const keys = new HmacKeyCache(4);
    const first = await keys.get('secret-a');
    assert.equal(await keys.get('secret-a'), first);
    assert.notEqual(await keys.get('secret-b'), first);
  });

  it('derives the key from the UTF-8 bytes, as createHmac does with a string key', async () => {
    const secret = 'tokenKey-Ünïcødé-secret';
    const key = await new HmacKeyCache(4).get(secret);
    assert.equal(
      await signWith(key, 'header.payload'),
      createHmac('sha256', secret).update('header.payload').digest('base64url'),
    );
  });

  it('forgets the least recently used key beyond its limit', async () => {
    const keys = new HmacKeyCache(2);
    const a = await keys.get('a');
    const b = await keys.get('b');
    await keys.get('a');
    await keys.get('c');
    assert.equal(await keys.get('a'), a, 'a was used after b, so it stays');
    assert.notEqual(await keys.get('b'), b, 'b was the oldest, so it was imported again');
  });
});
