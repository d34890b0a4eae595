import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { constantTimeEqual, randomId, randomSecret, sha256Hex } from './secrets.js';

describe('randomSecret', () => {
  it('gives 32 random bytes as base64url by default', () => {
    const secret = randomSecret();
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(secret, 'base64url').length, 32);
  });

  it('never repeats', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => randomSecret()));
    assert.equal(seen.size, 1000);
  });

  it('refuses secrets shorter than 128 bits', () => {
    assert.throws(() => randomSecret(8), RangeError);
  });
});

describe('randomId', () => {
  it('gives 15 characters of [a-z0-9] by default', () => {
    assert.match(randomId(), /^[a-z0-9]{15}$/);
    assert.match(randomId(40), /^[a-z0-9]{40}$/);
  });

  it('uses every character about equally often', () => {
    const counts = new Map<string, number>();
    for (const char of randomId(360_000)) counts.set(char, (counts.get(char) ?? 0) + 1);
    assert.equal(counts.size, 36);
    // Expected 10,000 each (standard deviation ~100); a plain `byte % 36` would give the
    // first four characters ~11,250.
    for (const [char, count] of counts) assert.ok(count > 9500 && count < 10500, `${char}: ${count}`);
  });
});

describe('sha256Hex', () => {
  it('hashes UTF-8 text to lowercase hex', () => {
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('constantTimeEqual', () => {
  it('is true only for identical strings', () => {
    assert.equal(constantTimeEqual('token', 'token'), true);
    assert.equal(constantTimeEqual('token', 'tokeN'), false);
    assert.equal(constantTimeEqual('token', 'token '), false);
    assert.equal(constantTimeEqual('token ', 'token'), false);
    assert.equal(constantTimeEqual('', ''), true);
    assert.equal(constantTimeEqual('', 'a'), false);
  });
});
