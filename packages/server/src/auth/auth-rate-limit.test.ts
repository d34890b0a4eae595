import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSettings } from '@tandem/core';
import { authRateLimitsFromSettings, defaultAuthRateLimits } from './auth-rate-limit.js';

describe('authRateLimitsFromSettings', () => {
  it('takes the switch and the `*:<endpoint>` rules from the settings, keeping per-identity limits', () => {
    const rules = authRateLimitsFromSettings({
      enabled: false,
      rules: [
        { label: '*:auth-with-password', maxRequests: 3, duration: 9, audience: '' },
        { label: '/api/', maxRequests: 300, duration: 10, audience: '' },
        { label: '*:request-otp', maxRequests: 1, duration: 1, audience: '@auth' },
      ],
    });
    assert.equal(rules.enabled, false);
    assert.deepEqual(rules.perIp['auth-with-password'], { max: 3, windowSeconds: 9 });
    assert.deepEqual(rules.perIp['request-otp'], defaultAuthRateLimits.perIp['request-otp'], 'rules for signed-in callers only do not apply to sign-in');
    assert.deepEqual(rules.perIdentity, defaultAuthRateLimits.perIdentity);
  });

  it('is on by default', () => {
    assert.equal(authRateLimitsFromSettings(defaultSettings.rateLimits).enabled, true);
  });
});
