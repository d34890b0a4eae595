import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSecretBox } from './secret-box.js';

const SECRET = 'a-server-secret-of-enough-length';

describe('createSecretBox', () => {
  it('opens what it sealed', () => {
    const box = createSecretBox(SECRET, 'test');
    assert.equal(box.open(box.seal('refresh token', 'row1'), 'row1'), 'refresh token');
  });

  it('never shows the plaintext and never seals twice alike', () => {
    const box = createSecretBox(SECRET, 'test');
    const [a, b] = [box.seal('refresh token', 'row1'), box.seal('refresh token', 'row1')];
    assert.notEqual(a, b);
    assert.ok(!Buffer.from(a, 'base64url').toString('latin1').includes('refresh token'));
  });

  it('refuses another context, another purpose, another secret and tampering', () => {
    const box = createSecretBox(SECRET, 'test');
    const sealed = box.seal('refresh token', 'row1');
    assert.equal(box.open(sealed, 'row2'), undefined);
    assert.equal(createSecretBox(SECRET, 'other').open(sealed, 'row1'), undefined);
    assert.equal(createSecretBox(SECRET + '!', 'test').open(sealed, 'row1'), undefined);
    const bytes = Buffer.from(sealed, 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    assert.equal(box.open(bytes.toString('base64url'), 'row1'), undefined);
    assert.equal(box.open('short', 'row1'), undefined);
  });

  it('refuses a short server secret', () => {
    assert.throws(() => createSecretBox('short', 'test'), TypeError);
  });
});
