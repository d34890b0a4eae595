import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OAUTH2_PRESETS, presetOf } from './oauth2-presets.js';

describe('the OAuth2 presets', () => {
  it('cover the common providers, each with https endpoints', () => {
    for (const name of ['google', 'github', 'microsoft', 'apple', 'gitlab', 'discord']) {
      const preset = OAUTH2_PRESETS[name]!;
      assert.match(preset.authURL, /^https:\/\//, name);
      assert.match(preset.tokenURL, /^https:\/\//, name);
    }
  });

  it('read email_verified from OpenID claims, also as the string Apple sends', () => {
    assert.equal(presetOf('google').toUser({ sub: '1', email: 'a@b.c', email_verified: true }).emailVerified, true);
    assert.equal(presetOf('apple').toUser({ sub: '1', email: 'a@b.c', email_verified: 'true' }).emailVerified, true);
    assert.equal(presetOf('oidc').toUser({ sub: '1', email: 'a@b.c' }).emailVerified, false);
  });

  it('never take a Microsoft or GitHub profile address as verified', () => {
    assert.equal(presetOf('microsoft').toUser({ id: '1', mail: 'a@b.c' }).emailVerified, false);
    assert.equal(presetOf('github').toUser({ id: 7, email: 'a@b.c' }).emailVerified, false);
    assert.equal(presetOf('github').toUser({ id: 7 }).id, '7');
  });

  it('read Discord and GitLab verification flags', () => {
    assert.equal(presetOf('discord').toUser({ id: '1', email: 'a@b.c', verified: true }).emailVerified, true);
    assert.equal(presetOf('gitlab').toUser({ id: 1, email: 'a@b.c', confirmed_at: null }).emailVerified, false);
  });
});
