import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkPasswordPolicy, isCommonPassword } from './password-policy.js';

const codeOf = (password: unknown) => checkPasswordPolicy(password)?.code ?? null;

describe('checkPasswordPolicy', () => {
  it('accepts 8 characters and refuses 7', () => {
    assert.equal(codeOf('k7#vQ2mz'), null);
    assert.equal(codeOf('k7#vQ2m'), 'validation_min_text_constraint');
    assert.deepEqual(checkPasswordPolicy('')?.params, { min: 8 });
  });

  it('counts characters, not UTF-16 units', () => {
    // Four emoji are eight UTF-16 units but four characters.
    assert.equal(codeOf('\u{1F511}\u{1F512}\u{1F513}\u{1F510}'), 'validation_min_text_constraint');
    assert.equal(codeOf('\u{1F511}'.repeat(8)), null);
  });

  it('accepts long passwords up to 1024 characters', () => {
    assert.equal(codeOf('long passphrase '.repeat(6) + 'ends here'), null);
    assert.equal(codeOf('q'.repeat(1024)), null);
    assert.equal(codeOf('q'.repeat(1025)), 'validation_max_text_constraint');
  });

  it('refuses common passwords from the list', () => {
    for (const common of ['password123', '12345678', 'qwertyui', 'iloveyou', 'football1', 'trustno1', 'Password1']) {
      assert.equal(codeOf(common), 'validation_password_common', common);
    }
    assert.match(checkPasswordPolicy('password123')!.message, /too common/);
  });

  it('refuses a case variant only when its lower-case form is in the list', () => {
    assert.equal(codeOf('PassWord123'), 'validation_password_common');
    assert.equal(codeOf('SUNSHINE'), 'validation_password_common');
    assert.equal(codeOf('CorrectHorse42'), null);
    // '45M2DO5BS' is listed only in upper case; its lower-case form is not listed.
    assert.equal(codeOf('45M2DO5BS'), 'validation_password_common');
    assert.equal(codeOf('45m2do5bs'), null);
  });

  it('refuses values that are not strings', () => {
    for (const value of [undefined, null, 12345678, ['password'], { length: 9 }]) {
      assert.equal(codeOf(value), 'validation_invalid_value', JSON.stringify(value));
    }
  });
});

describe('isCommonPassword', () => {
  it('loads the whole shipped list', () => {
    assert.equal(isCommonPassword('password'), true);
    assert.equal(isCommonPassword('zzzzzzz'), true);
    assert.equal(isCommonPassword('not-in-any-list-7f3a'), false);
  });
});
