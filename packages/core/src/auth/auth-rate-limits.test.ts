import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { defaultSettings } from '../settings/settings-schema.js';
import { authRateLimitsFromSettings, defaultAuthRateLimits, type Limit } from './auth-rate-limits.js';

type LimitTable = Record<string, Limit>;

/**
 * The rate-limit table of docs/auth.md as limits per endpoint: one row per endpoint or
 * group (`confirm-*` stands for every limited endpoint that starts so), cells like
 * `10 / min`, `5 / 5 min` or `–` for none.
 */
function documentedLimits(known: readonly string[]): { perIp: LimitTable; perIdentity: LimitTable } {
  const doc = readFileSync(new URL('../../../../docs/auth.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Rate limits'));
  const table = { perIp: {} as LimitTable, perIdentity: {} as LimitTable };
  for (const [, names, perIp, perIdentity] of section.matchAll(/^\| (`[^|]+`) \| ([^|]+) \| ([^|]+) \|$/gm)) {
    for (const name of [...names!.matchAll(/`([^`]+)`/g)].flatMap(([, n]) => expand(n!, known))) {
      const ip = parseLimit(perIp!);
      const identity = parseLimit(perIdentity!);
      if (ip) table.perIp[name] = ip;
      if (identity) table.perIdentity[name] = identity;
    }
  }
  return table;
}

function expand(name: string, known: readonly string[]): string[] {
  return name.endsWith('*') ? known.filter((k) => k.startsWith(name.slice(0, -1))) : [name];
}

function parseLimit(cell: string): Limit | undefined {
  if (cell.trim() === '–') return undefined;
  const match = /^(\d+) \/ (?:(\d+) )?min$/.exec(cell.trim());
  assert.ok(match, `unreadable limit in docs/auth.md: ${JSON.stringify(cell)}`);
  return { max: Number(match[1]), windowSeconds: Number(match[2] ?? 1) * 60 };
}

/** Sorted by endpoint, so that the order of rows and keys does not matter. */
function sorted(table: Readonly<LimitTable>): LimitTable {
  return Object.fromEntries(Object.entries(table).sort(([a], [b]) => a.localeCompare(b)));
}

describe('the rate-limit table in docs/auth.md', () => {
  const enforced = authRateLimitsFromSettings(defaultSettings.rateLimits);
  const documented = documentedLimits(Object.keys(enforced.perIp));

  it('lists exactly the per-IP and per-identity limits a fresh install enforces', () => {
    assert.deepEqual(sorted(documented.perIp), sorted(enforced.perIp));
    assert.deepEqual(sorted(documented.perIdentity), sorted(enforced.perIdentity));
  });

  it('are the limits of an app without settings too', () => {
    assert.deepEqual(sorted(defaultAuthRateLimits.perIp), sorted(enforced.perIp));
    assert.deepEqual(sorted(defaultAuthRateLimits.perIdentity), sorted(enforced.perIdentity));
  });
});

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
    assert.deepEqual(
      rules.perIp['request-otp'],
      defaultAuthRateLimits.perIp['request-otp'],
      'rules for signed-in callers only do not apply to sign-in',
    );
    assert.deepEqual(rules.perIdentity, defaultAuthRateLimits.perIdentity);
  });

  it('is on by default', () => {
    assert.equal(authRateLimitsFromSettings(defaultSettings.rateLimits).enabled, true);
  });
});
