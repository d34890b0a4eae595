/**
 * The settings API scenario table: access, defaults, partial updates, validation
 * errors nested by section, and the write-only SMTP password.
 */
import assert from 'node:assert/strict';
import { SettingsService } from '@tandem/core';
import type { Scenario } from '../testing/scenario.fixture.js';
import type { TestApp } from '../testing/test-app.fixture.js';
import { asSuperuser, asUser } from '../testing/test-principals.fixture.js';

const S = '/api/settings';
const su = asSuperuser;
const unchanged = async (t: TestApp) =>
  assert.deepEqual(t.settings.get().batch, {
    enabled: true,
    maxRequests: 50,
    timeout: 3,
    maxBodySize: 128 * 1024 * 1024,
  });

export const settingsAccessScenarios: Scenario[] = [
  { name: 'GET settings as a guest is a 401', url: S, status: 401, notContains: ['smtp'] },
  { name: 'GET settings as a user is a 403', url: S, headers: asUser, status: 403, notContains: ['smtp'] },
  { name: 'GET settings as a superuser is a 200', url: S, headers: su, status: 200 },
  {
    name: 'PATCH settings as a guest is a 401',
    method: 'PATCH',
    url: S,
    body: { batch: { enabled: false } },
    status: 401,
    after: unchanged,
  },
  {
    name: 'PATCH settings as a user is a 403',
    method: 'PATCH',
    url: S,
    headers: asUser,
    body: { batch: { enabled: false } },
    status: 403,
    after: unchanged,
  },
  {
    name: 'PATCH settings as a superuser is a 200',
    method: 'PATCH',
    url: S,
    headers: su,
    body: { batch: { enabled: false } },
    status: 200,
  },
];

export const settingsReadScenarios: Scenario[] = [
  {
    name: 'a fresh install serves the defaults',
    url: S,
    headers: su,
    status: 200,
    json: (b) => {
      assert.deepEqual(Object.keys(b).sort(), [
        'backups',
        'batch',
        'logs',
        'meta',
        'rateLimits',
        's3',
        'smtp',
        'trustedProxy',
      ]);
      assert.equal(b.s3.enabled, false);
      assert.deepEqual(b.batch, { enabled: true, maxRequests: 50, timeout: 3, maxBodySize: 134217728 });
      assert.equal(b.rateLimits.enabled, true);
      assert.deepEqual(
        b.rateLimits.rules.find((r: any) => r.label === '*:auth-with-password'),
        { label: '*:auth-with-password', maxRequests: 10, duration: 60, audience: '' },
      );
      for (const label of ['*:request-otp', '*:request-password-reset', '*:auth-refresh'])
        assert.ok(
          b.rateLimits.rules.some((r: any) => r.label === label),
          label,
        );
      assert.deepEqual(b.trustedProxy, { headers: [], useLeftmostIP: false });
      assert.equal(b.smtp.password, '');
      assert.equal(b.meta.appName, 'Tandem');
    },
  },
  {
    name: 'GET never serves the SMTP password',
    url: S,
    headers: su,
    status: 200,
    notContains: ['stored-secret'],
    before: async (t) => {
      await t.settings.update({ smtp: { password: 'stored-secret' } });
    },
    json: (b) => assert.equal(b.smtp.password, ''),
  },
  {
    name: 'fields applies to settings',
    url: `${S}?fields=batch.maxRequests`,
    headers: su,
    status: 200,
    json: (b) => assert.deepEqual(b, { batch: { maxRequests: 50 } }),
  },
];

export const settingsUpdateScenarios: Scenario[] = [
  {
    name: 'PATCH stores the S3 secret but answers with ""',
    method: 'PATCH',
    url: S,
    headers: su,
    body: { s3: { secret: 'hidden', bucket: 'b' } },
    status: 200,
    json: (b) => {
      assert.equal(b.s3.secret, '');
      assert.equal(b.s3.bucket, 'b');
    },
  },
  {
    name: 'S3 needs a bucket, region and endpoint when enabled',
    method: 'PATCH',
    url: S,
    headers: su,
    body: { s3: { enabled: true, bucket: '', region: '', endpoint: '' } },
    status: 400,
    json: (b) => assert.deepEqual(Object.keys(b.data.s3).sort(), ['bucket', 'endpoint', 'region']),
  },
  {
    name: 'backups.s3 keeps its stored secret, answers it as "" and merges its keys',
    method: 'PATCH',
    url: S,
    headers: su,
    body: { backups: { cron: '0 3 * * *', s3: { secret: 'kept', bucket: 'bk', stray: 1 } } },
    status: 200,
    json: (b) => {
      assert.equal(b.backups.cron, '0 3 * * *');
      assert.equal(b.backups.cronMaxKeep, 3);
      assert.equal(b.backups.s3.secret, '');
      assert.equal(b.backups.s3.stray, undefined);
    },
    after: async (t) => {
      await t.settings.update({ backups: { s3: { region: 'r' } } });
      assert.equal(t.settings.get().backups.s3.secret, 'kept');
      assert.equal(t.settings.get().backups.s3.bucket, 'bk');
      assert.equal(t.settings.get().backups.cron, '0 3 * * *');
    },
  },
  {
    name: 'backups.cron must be a cron expression; backups.s3 enabled needs its bucket',
    method: 'PATCH',
    url: S,
    headers: su,
    body: { backups: { cron: 'every day', cronMaxKeep: -1, s3: { enabled: true } } },
    status: 400,
    json: (b) => {
      assert.equal(b.data.backups.cron.code, 'validation_invalid_cron');
      assert.ok(b.data.backups.cronMaxKeep.code);
      assert.deepEqual(Object.keys(b.data.backups.s3).sort(), ['bucket', 'endpoint', 'region']);
    },
  },
  {
    name: 'PATCH merges one section key and keeps the rest',
    method: 'PATCH',
    url: S,
    headers: su,
    body: { batch: { maxRequests: 10 } },
    status: 200,
    json: (b) => assert.deepEqual(b.batch, { enabled: true, maxRequests: 10, timeout: 3, maxBodySize: 134217728 }),
    after: async (t) => {
      assert.equal(t.settings.get().batch.maxRequests, 10);
      assert.equal(t.settings.get().meta.appName, 'Tandem');
    },
  },
  {
    name: 'PATCH is stored: a fresh load sees it',
    method: 'PATCH',
    url: S,
    headers: su,
    body: { meta: { appName: 'Blog' }, trustedProxy: { headers: ['X-Forwarded-For'] } },
    status: 200,
    after: async (t) => {
      const reloaded = await new SettingsService(t.store).load();
      assert.equal(reloaded.meta.appName, 'Blog');
      assert.deepEqual(reloaded.trustedProxy.headers, ['X-Forwarded-For']);
    },
  },
  {
    name: 'PATCH stores the SMTP password but answers with ""',
    method: 'PATCH',
    url: S,
    headers: su,
    body: { smtp: { enabled: true, host: 'mail.example.com', port: 2525, username: 'mailer', password: 'n3w-secret' } },
    status: 200,
    notContains: ['n3w-secret'],
    json: (b) => {
      assert.equal(b.smtp.password, '');
      assert.equal(b.smtp.host, 'mail.example.com');
    },
    after: async (t) => {
      assert.equal(t.settings.get().smtp.password, 'n3w-secret');
      const read = await t.app.inject({ url: S, headers: asSuperuser });
      assert.ok(!read.body.includes('n3w-secret'));
      assert.equal(JSON.parse(read.body).smtp.password, '');
    },
  },
  {
    name: 'PATCH without a password keeps the stored one',
    method: 'PATCH',
    url: S,
    headers: su,
    body: { smtp: { port: 465, tls: true } },
    status: 200,
    before: async (t) => {
      await t.settings.update({ smtp: { password: 'keep-me' } });
    },
    after: async (t) => {
      assert.equal(t.settings.get().smtp.password, 'keep-me');
      assert.equal(t.settings.get().smtp.port, 465);
    },
  },
  {
    name: 'PATCH with an empty password keeps the stored one (a GET round trip)',
    method: 'PATCH',
    url: S,
    headers: su,
    body: { smtp: { password: '', localName: 'tandem' } },
    status: 200,
    before: async (t) => {
      await t.settings.update({ smtp: { password: 'keep-me' } });
    },
    after: async (t) => assert.equal(t.settings.get().smtp.password, 'keep-me'),
  },
  {
    name: 'PATCH replaces the rate limit rules as a whole',
    method: 'PATCH',
    url: S,
    headers: su,
    body: {
      rateLimits: {
        rules: [
          { label: '/api/', maxRequests: 300, duration: 10 },
          { label: 'posts:create', maxRequests: 5, duration: 60, audience: '@guest' },
        ],
      },
    },
    status: 200,
    json: (b) =>
      assert.deepEqual(b.rateLimits.rules, [
        { label: '/api/', maxRequests: 300, duration: 10, audience: '' },
        { label: 'posts:create', maxRequests: 5, duration: 60, audience: '@guest' },
      ]),
  },
  {
    name: 'PATCH ignores unknown sections and keys',
    method: 'PATCH',
    url: S,
    headers: su,
    body: {
      nope: 1,
      batch: { nope: 2, timeout: 5 },
      rateLimits: { rules: [{ label: 'x', maxRequests: 1, duration: 1, extra: true }] },
    },
    status: 200,
    json: (b) => {
      assert.equal(b.nope, undefined);
      assert.equal(b.batch.nope, undefined);
      assert.equal(b.batch.timeout, 5);
      assert.equal(b.rateLimits.rules[0].extra, undefined);
    },
  },
  {
    name: 'PATCH with an empty body changes nothing',
    method: 'PATCH',
    url: S,
    headers: su,
    body: {},
    status: 200,
    after: unchanged,
  },
];

export const settingsInvalidScenarios: Scenario[] = [
  {
    name: 'a bad batch value is a 400 nested under batch',
    method: 'PATCH',
    url: S,
    headers: su,
    body: { batch: { maxRequests: 0, timeout: 'soon' } },
    status: 400,
    dataKeys: ['batch'],
    json: (b) => {
      assert.equal(b.code, 'SETTINGS_INVALID');
      assert.deepEqual(Object.keys(b.data.batch).sort(), ['maxRequests', 'timeout']);
      assert.equal(b.data.batch.maxRequests.code, 'validation_min_greater_equal_than_required');
      assert.equal(typeof b.data.batch.maxRequests.message, 'string');
    },
    after: unchanged,
  },
  {
    name: 'errors in several sections are all reported',
    method: 'PATCH',
    url: S,
    headers: su,
    body: {
      meta: { appURL: 'not a url', senderAddress: 'nope' },
      trustedProxy: { useLeftmostIP: 'yes' },
      batch: { enabled: false },
    },
    status: 400,
    dataKeys: ['meta', 'trustedProxy'],
    json: (b) => {
      assert.deepEqual(Object.keys(b.data.meta).sort(), ['appURL', 'senderAddress']);
      assert.ok(b.data.trustedProxy.useLeftmostIP.code);
    },
    after: unchanged,
  },
  {
    name: 'a bad rate limit rule is named by its index',
    method: 'PATCH',
    url: S,
    headers: su,
    body: {
      rateLimits: {
        rules: [
          { label: 'ok', maxRequests: 1, duration: 1 },
          { label: '', maxRequests: 1, duration: 0, audience: 'robots' },
        ],
      },
    },
    status: 400,
    dataKeys: ['rateLimits'],
    json: (b) => assert.deepEqual(Object.keys(b.data.rateLimits.rules[1]).sort(), ['audience', 'duration', 'label']),
  },
  {
    name: 'a section that is not an object is a 400 on the section',
    method: 'PATCH',
    url: S,
    headers: su,
    body: { batch: 5 },
    status: 400,
    dataKeys: ['batch'],
    json: (b) => assert.equal(b.data.batch.code, 'validation_invalid_type'),
  },
  {
    name: 'SMTP enabled without a host is a 400 on smtp.host',
    method: 'PATCH',
    url: S,
    headers: su,
    body: { smtp: { enabled: true, host: '' } },
    status: 400,
    dataKeys: ['smtp'],
    json: (b) => assert.ok(b.data.smtp.host),
  },
  {
    name: 'a bad authMethod is a 400',
    method: 'PATCH',
    url: S,
    headers: su,
    body: { smtp: { authMethod: 'CRAM' } },
    status: 400,
    dataKeys: ['smtp'],
  },
  {
    name: 'an array body is a 400',
    method: 'PATCH',
    url: S,
    headers: su,
    body: [{ batch: {} }],
    status: 400,
    after: unchanged,
  },
  {
    name: 'malformed JSON is a 400',
    method: 'PATCH',
    url: S,
    headers: { ...su, 'content-type': 'application/json' },
    payload: '{"batch":',
    status: 400,
    after: unchanged,
  },
];

/** Every settings API scenario. */
export const settingsApiScenarios: Scenario[] = [
  ...settingsAccessScenarios,
  ...settingsReadScenarios,
  ...settingsUpdateScenarios,
  ...settingsInvalidScenarios,
];
