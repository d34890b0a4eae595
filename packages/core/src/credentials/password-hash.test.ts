import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, passwordNeedsRehash, verifyAgainstDummy, verifyPassword } from './password-hash.js';

/** The parts of a PHC string: `$id$v=19$m=..,t=..,p=..$salt$hash`. */
function parsePhc(phc: string): { id: string; params: Record<string, number>; salt: string; hash: string } {
  const [, id, version, paramText, salt, hash] = phc.split('$');
  assert.equal(version, 'v=19');
  const params = Object.fromEntries(
    paramText!
      .split(',')
      .map((pair) => pair.split('='))
      .map(([k, v]) => [k!, Number(v)]),
  );
  return { id: id!, params, salt: salt!, hash: hash! };
}

describe('hashPassword', () => {
  it('makes an argon2id PHC string with at least OWASP parameters', async () => {
    const phc = parsePhc(await hashPassword('correct horse'));
    assert.equal(phc.id, 'argon2id');
    assert.ok(phc.params.m! >= 19456, `m=${phc.params.m}`);
    assert.ok(phc.params.t! >= 2, `t=${phc.params.t}`);
    assert.equal(phc.params.p, 1);
    assert.ok(Buffer.from(phc.salt, 'base64').length >= 16);
  });

  it('salts every hash', async () => {
    assert.notEqual(await hashPassword('same password'), await hashPassword('same password'));
  });
});

describe('verifyPassword', () => {
  it('accepts the password that was hashed', async () => {
    assert.equal(await verifyPassword(await hashPassword('correct horse'), 'correct horse'), true);
  });

  it('refuses a wrong password', async () => {
    assert.equal(await verifyPassword(await hashPassword('correct horse'), 'battery staple'), false);
  });

  it('uses the password exactly as received', async () => {
    const cases: Array<[string, string]> = [
      ['Password1', 'password1'],
      ['secret words', 'secret words '],
      [' secret words', 'secret words'],
      ['x'.repeat(199) + 'a', 'x'.repeat(199) + 'b'],
      ['cafe\u0301', 'caf\u00e9'],
    ];
    for (const [stored, given] of cases) {
      const hash = await hashPassword(stored);
      assert.equal(await verifyPassword(hash, stored), true, JSON.stringify(stored));
      assert.equal(await verifyPassword(hash, given), false, `${JSON.stringify(stored)} vs ${JSON.stringify(given)}`);
    }
  });

  it('is false, not an exception, for a malformed hash or password', async () => {
    for (const hash of ['', 'plain text', '$argon2id$v=19$m=19456,t=2,p=1$bad', '$2b$10$abcdefghijklmnopqrstuv']) {
      assert.equal(await verifyPassword(hash, 'anything'), false, hash);
    }
    assert.equal(await verifyPassword(undefined as unknown as string, 'anything'), false);
    assert.equal(await verifyPassword(await hashPassword('x'), null as unknown as string), false);
  });
});

describe('verifyAgainstDummy', () => {
  it('is always false', async () => {
    assert.equal(await verifyAgainstDummy('tandem-dummy-password'), false);
    assert.equal(await verifyAgainstDummy(''), false);
  });

  it('costs about as much as a real verification', async () => {
    const hash = await hashPassword('correct horse');
    await verifyAgainstDummy('warm-up');
    const time = async (work: () => Promise<unknown>) => {
      const start = performance.now();
      for (let i = 0; i < 3; i++) await work();
      return performance.now() - start;
    };
    const real = await time(() => verifyPassword(hash, 'wrong'));
    const dummy = await time(() => verifyAgainstDummy('wrong'));
    assert.ok(dummy > real * 0.25 && dummy < real * 4, `real ${real.toFixed(1)} ms, dummy ${dummy.toFixed(1)} ms`);
  });
});

describe('passwordNeedsRehash', () => {
  it('is false for a current hash and true for weaker or foreign ones', async () => {
    assert.equal(passwordNeedsRehash(await hashPassword('x')), false);
    assert.equal(
      passwordNeedsRehash(
        '$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
      ),
      true,
    );
    assert.equal(passwordNeedsRehash('not a hash'), true);
  });
});
