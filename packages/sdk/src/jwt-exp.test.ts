import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwtExp, isTokenExpiring } from './jwt-exp.js';
import { fakeJwt } from './testing/fake-jwt.fixture.js';

describe('decodeJwtExp', () => {
  it('reads exp from the payload', () => {
    assert.equal(decodeJwtExp(fakeJwt({ id: 'u1', exp: 1_900_000_000 })), 1_900_000_000);
  });

  it('decodes base64url payloads with - and _ and no padding', () => {
    const token = fakeJwt({ name: 'é?>>~~~', exp: 42 });
    assert.match(token.split('.')[1]!, /[-_]/);
    assert.equal(decodeJwtExp(token), 42);
  });

  it('is undefined for non-JWTs, bad JSON and a missing or non-numeric exp', () => {
    for (const token of ['', 'abc', 'a.b', 'a.%%%.c', fakeJwt({ id: 'x' }), fakeJwt({ exp: '5' }), 'a.b.c.d']) {
      assert.equal(decodeJwtExp(token), undefined, token);
    }
  });
});

describe('isTokenExpiring', () => {
  it('is true within the margin before exp and after it', () => {
    const token = fakeJwt({ exp: 1000 });
    assert.equal(isTokenExpiring(token, 60_000, 900_000), false);
    assert.equal(isTokenExpiring(token, 60_000, 940_000), true);
    assert.equal(isTokenExpiring(token, 0, 1_000_001), true);
  });

  it('never expires a token without exp', () => {
    assert.equal(isTokenExpiring('opaque', 60_000), false);
  });
});
