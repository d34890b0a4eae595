import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultOAuth2Options,
  normalizeOAuth2Options,
  toPublicOAuth2Options,
  type OAuth2Options,
} from './oauth2-options.js';
import { withStoredDefaults } from './auth-collection.js';
import type { Collection } from './collection.js';

const google = { name: 'google', clientId: 'id-1', clientSecret: 'secret-1' };

describe('normalizeOAuth2Options', () => {
  it('fills a provider with empty URLs, a null pkce and an empty extra', () => {
    const errors = {};
    const options = normalizeOAuth2Options({ enabled: true, providers: [google] }, undefined, errors);
    assert.deepEqual(errors, {});
    assert.deepEqual(options.providers[0], {
      ...google,
      authURL: '',
      tokenURL: '',
      userInfoURL: '',
      displayName: '',
      pkce: null,
      extra: {},
    });
  });

  it('keeps the stored secret when an update leaves it out', () => {
    const stored = normalizeOAuth2Options({ enabled: true, providers: [google] }, undefined, {});
    const { clientSecret: _omitted, ...withoutSecret } = google;
    const updated = normalizeOAuth2Options({ enabled: true, providers: [withoutSecret] }, stored, {});
    assert.equal(updated.providers[0]?.clientSecret, 'secret-1');
  });

  it('refuses bad names, a missing client id, duplicates and non-http URLs', () => {
    const errors: Record<string, unknown> = {};
    normalizeOAuth2Options(
      {
        providers: [
          { name: 'Bad Name', clientId: 'x' },
          { name: 'gitlab', clientId: '' },
          { name: 'oidc', clientId: 'x', authURL: 'javascript:alert(1)' },
          { name: 'oidc', clientId: 'y' },
        ],
      },
      undefined,
      errors,
    );
    assert.deepEqual(Object.keys(errors).sort(), [
      'oauth2.providers.0.name',
      'oauth2.providers.1.clientId',
      'oauth2.providers.2.authURL',
      'oauth2.providers.3.name',
    ]);
  });
});

describe('toPublicOAuth2Options', () => {
  it('leaves every client secret out', () => {
    const options: OAuth2Options = normalizeOAuth2Options({ enabled: true, providers: [google] }, undefined, {});
    assert.equal(JSON.stringify(toPublicOAuth2Options(options)).includes('secret-1'), false);
  });
});

describe('withStoredDefaults', () => {
  it('switches OAuth2 off for an auth collection stored before the option existed', () => {
    const stored = { id: 'c1', name: 'members', type: 'auth' } as unknown as Collection;
    assert.deepEqual(withStoredDefaults(stored).oauth2, defaultOAuth2Options());
    const base = { id: 'c2', name: 'posts', type: 'base' } as unknown as Collection;
    assert.equal(withStoredDefaults(base), base);
  });
});
