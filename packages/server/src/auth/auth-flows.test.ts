import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { internalRequest, sql, superuser } from '@tandem/core';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { bearer, call } from '../testing/http-client.fixture.js';
import { defaultAuthRateLimits } from '@tandem/core';

const U = '/api/collections/users';
const PASSWORD = 'correct horse battery staple';

async function signUp(t: TestApp, email: string, password = PASSWORD) {
  const answer = await call(t, 'POST', `${U}/records`, {
    email,
    password,
    passwordConfirm: password,
    name: email.split('@')[0],
  });
  assert.equal(answer.status, 200, answer.raw);
  return answer.body as { id: string };
}

async function login(t: TestApp, email: string, password = PASSWORD, extra: Record<string, unknown> = {}) {
  return call(t, 'POST', `${U}/auth-with-password`, { identity: email, password, ...extra });
}

/** The token of the newest mail to `to` (verification, reset and email-change links end in it). */
async function tokenFromMail(t: TestApp, to: string): Promise<string> {
  const [mail] = await t.outbox.list({ to, limit: 1 });
  assert.ok(mail, `a mail to ${to}`);
  const match = /confirm-[a-z-]+\/([A-Za-z0-9_.-]+)/.exec(mail.text);
  assert.ok(match, `a token link in ${mail.text}`);
  return match[1]!;
}

for (const { name: dialect, skip } of testDialects) {
  describe(`auth flows on ${dialect}`, { skip }, () => {
    let t: TestApp;
    before(async () => {
      // These tests log in far more often than a person would; rate limits have their own test.
      t = await createTestApp(dialect, {}, undefined, () => ({ ...defaultAuthRateLimits, enabled: false }));
    });
    after(async () => t.cleanup());

    it('creates users and _superusers on first start, with PocketBase ids', () => {
      assert.equal(t.collections.get('users').id, '_pb_users_auth_');
      assert.equal(t.collections.get('_superusers').id, 'pbc_3142635823');
      assert.deepEqual(
        t.collections
          .get('users')
          .fields.slice(0, 6)
          .map((f) => f.name),
        ['id', 'password', 'tokenKey', 'email', 'emailVisibility', 'verified'],
      );
    });

    it('signs up with a hashed password that never appears in JSON', async () => {
      const user = await signUp(t, 'ada@example.com');
      const raw = JSON.stringify(user);
      assert.ok(!raw.includes(PASSWORD) && !raw.includes('tokenKey') && !raw.includes('"password"'), raw);
      const [row] = await t.store.all<{ password: string }>(
        sql`SELECT "password" FROM "users" WHERE "id" = ${user.id}`,
      );
      const params = Object.fromEntries(
        row!.password
          .split('$')[3]!
          .split(',')
          .map((pair) => pair.split('=')),
      );
      assert.ok(row!.password.startsWith('$argon2id$v=19$'), row!.password);
      assert.deepEqual(params, { m: '19456', t: '2', p: '1' });
    });

    it('refuses short, common and unconfirmed passwords with field codes', async () => {
      const cases: Array<[Record<string, unknown>, string, string]> = [
        [{ password: 'short1', passwordConfirm: 'short1' }, 'password', 'validation_min_text_constraint'],
        [{ password: 'password123', passwordConfirm: 'password123' }, 'password', 'validation_password_common'],
        [{ password: PASSWORD, passwordConfirm: PASSWORD + 'x' }, 'passwordConfirm', 'validation_values_mismatch'],
      ];
      for (const [body, field, code] of cases) {
        const answer = await call(t, 'POST', `${U}/records`, { email: 'weak@example.com', ...body });
        assert.equal(answer.status, 400, answer.raw);
        assert.equal(answer.body.data[field]?.code, code, answer.raw);
      }
    });

    it('accepts a 100-character password exactly as given, without trimming or case folding', async () => {
      const long = 'Ab1 '.repeat(25);
      await signUp(t, 'long@example.com', long);
      assert.equal((await login(t, 'long@example.com', long)).status, 200);
      assert.equal((await login(t, 'long@example.com', long.trim())).status, 400);
      assert.equal((await login(t, 'long@example.com', long.toLowerCase())).status, 400);
    });

    it("logs in with PocketBase's answer and the email always in the record", async () => {
      const answer = await login(t, 'ADA@example.com');
      assert.equal(answer.status, 200, answer.raw);
      assert.equal(typeof answer.body.token, 'string');
      assert.equal(answer.body.record.email, 'ada@example.com');
      assert.equal(answer.headers['cache-control'], 'no-store');
      const claims = JSON.parse(Buffer.from(answer.body.token.split('.')[1], 'base64url').toString());
      assert.equal(claims.type, 'auth');
      assert.equal(claims.collectionId, '_pb_users_auth_');
      assert.equal(claims.refreshable, true);
    });

    it('answers a wrong password and an unknown user identically', async () => {
      const wrong = await login(t, 'ada@example.com', 'not the password');
      const unknown = await login(t, 'nobody@example.com', 'not the password');
      assert.equal(wrong.status, 400);
      assert.equal(wrong.raw, unknown.raw);
    });

    it("serves auth-methods with and without the SDK's fields parameter", async () => {
      const full = await call(t, 'GET', `${U}/auth-methods`);
      assert.equal(full.body.password.enabled, true);
      assert.deepEqual(full.body.password.identityFields, ['email']);
      assert.equal(full.body.emailPassword, true);
      const picked = await call(t, 'GET', `${U}/auth-methods?fields=mfa,otp,password,oauth2`);
      assert.deepEqual(Object.keys(picked.body).sort(), ['mfa', 'oauth2', 'otp', 'password']);
      assert.equal((await call(t, 'GET', '/api/collections/nope/auth-methods')).status, 404);
    });

    it('auth-refresh trades a token for a new one, and refuses a missing one', async () => {
      const { body } = await login(t, 'ada@example.com');
      const refreshed = await call(t, 'POST', `${U}/auth-refresh`, undefined, bearer(body.token));
      assert.equal(refreshed.status, 200, refreshed.raw);
      assert.equal(refreshed.body.record.id, body.record.id);
      assert.equal((await call(t, 'POST', `${U}/auth-refresh`)).status, 401);
      assert.equal(
        (await call(t, 'POST', '/api/collections/_superusers/auth-refresh', undefined, bearer(body.token))).status,
        403,
      );
    });

    it('verifies an email through the link in the outbox', async () => {
      assert.equal((await call(t, 'POST', `${U}/request-verification`, { email: 'ada@example.com' })).status, 204);
      assert.equal((await call(t, 'POST', `${U}/request-verification`, { email: 'ghost@example.com' })).status, 204);
      const token = await tokenFromMail(t, 'ada@example.com');
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
      assert.equal(claims.type, 'verification');
      assert.equal(typeof claims.id, 'string');
      assert.equal(claims.collectionId, '_pb_users_auth_');
      assert.equal((await call(t, 'POST', `${U}/confirm-verification`, { token })).status, 204);
      assert.equal((await login(t, 'ada@example.com')).body.record.verified, true);
      assert.equal((await call(t, 'POST', `${U}/confirm-verification`, { token: token + 'x' })).status, 400);
    });

    it('resets a password; the old token and password stop working', async () => {
      await signUp(t, 'reset@example.com');
      const before = (await login(t, 'reset@example.com')).body.token;
      assert.equal((await call(t, 'POST', `${U}/request-password-reset`, { email: 'reset@example.com' })).status, 204);
      const token = await tokenFromMail(t, 'reset@example.com');
      const next = 'a brand new passphrase';
      const confirm = await call(t, 'POST', `${U}/confirm-password-reset`, {
        token,
        password: next,
        passwordConfirm: next,
      });
      assert.equal(confirm.status, 204, confirm.raw);
      assert.equal((await call(t, 'POST', `${U}/auth-refresh`, undefined, bearer(before))).status, 401);
      assert.equal((await login(t, 'reset@example.com')).status, 400);
      assert.equal((await login(t, 'reset@example.com', next)).status, 200);
      assert.equal(
        (await call(t, 'POST', `${U}/confirm-password-reset`, { token, password: next, passwordConfirm: next })).status,
        400,
        'a reset token works once',
      );
    });

    it('changes the email after confirmation with the password', async () => {
      await signUp(t, 'old@example.com');
      const token = (await login(t, 'old@example.com')).body.token;
      assert.equal((await call(t, 'POST', `${U}/request-email-change`, { newEmail: 'new@example.com' })).status, 401);
      assert.equal(
        (await call(t, 'POST', `${U}/request-email-change`, { newEmail: 'new@example.com' }, bearer(token))).status,
        204,
      );
      const change = await tokenFromMail(t, 'new@example.com');
      assert.equal(
        (await call(t, 'POST', `${U}/confirm-email-change`, { token: change, password: 'wrong password!' })).status,
        400,
      );
      assert.equal(
        (await call(t, 'POST', `${U}/confirm-email-change`, { token: change, password: PASSWORD })).status,
        204,
      );
      assert.equal((await login(t, 'new@example.com')).status, 200);
      assert.equal((await login(t, 'old@example.com')).status, 400);
    });

    it('logs in with a one-time password from the outbox, once', async () => {
      await t.collections.update('users', { otp: { enabled: true, duration: 180, length: 8 } });
      const { body } = await call(t, 'POST', `${U}/request-otp`, { email: 'ada@example.com' });
      assert.match(body.otpId, /^[a-z0-9]{15}$/);
      const ghost = await call(t, 'POST', `${U}/request-otp`, { email: 'ghost@example.com' });
      assert.match(ghost.body.otpId, /^[a-z0-9]{15}$/, 'unknown emails get a dummy id');
      const [mail] = await t.outbox.list({ to: 'ada@example.com', limit: 1 });
      const code = /\b(\d{8})\b/.exec(mail!.text)![1];
      assert.equal(
        (
          await call(t, 'POST', `${U}/auth-with-otp`, {
            otpId: body.otpId,
            password: '00000000' === code ? '11111111' : '00000000',
          })
        ).status,
        400,
      );
      const ok = await call(t, 'POST', `${U}/auth-with-otp`, { otpId: body.otpId, password: code });
      assert.equal(ok.status, 200, ok.raw);
      assert.equal(
        (await call(t, 'POST', `${U}/auth-with-otp`, { otpId: body.otpId, password: code })).status,
        400,
        'an OTP works once',
      );
      const burnt = (await call(t, 'POST', `${U}/request-otp`, { email: 'ada@example.com' })).body.otpId;
      const [burntMail] = await t.outbox.list({ to: 'ada@example.com', limit: 1 });
      const burntCode = /\b(\d{8})\b/.exec(burntMail!.text)![1]!;
      const wrong = burntCode === '00000000' ? '11111111' : '00000000';
      for (let i = 0; i < 5; i++)
        assert.equal((await call(t, 'POST', `${U}/auth-with-otp`, { otpId: burnt, password: wrong })).status, 400);
      assert.equal(
        (await call(t, 'POST', `${U}/auth-with-otp`, { otpId: burnt, password: burntCode })).status,
        429,
        'five wrong codes burn the OTP',
      );
    });

    it('requires a second, different factor when MFA is on', async () => {
      await t.collections.update('users', { mfa: { enabled: true, duration: 600, rule: '' } });
      try {
        const first = await login(t, 'ada@example.com');
        assert.equal(first.status, 401);
        assert.deepEqual(Object.keys(first.body), ['mfaId']);
        assert.equal(
          (await login(t, 'ada@example.com', PASSWORD, { mfaId: first.body.mfaId })).status,
          400,
          'the same method twice',
        );
        const otp = await call(t, 'POST', `${U}/request-otp`, { email: 'ada@example.com' });
        const [mail] = await t.outbox.list({ to: 'ada@example.com', limit: 1 });
        const code = /\b(\d{8})\b/.exec(mail!.text)![1];
        const second = await call(t, 'POST', `${U}/auth-with-otp?mfaId=${first.body.mfaId}`, {
          otpId: otp.body.otpId,
          password: code,
        });
        assert.equal(second.status, 200, second.raw);
        assert.equal(typeof second.body.token, 'string');
      } finally {
        await t.collections.update('users', { mfa: { enabled: false, duration: 600, rule: '' } });
      }
    });

    it('lets a superuser impersonate a user with a non-refreshable token', async () => {
      await t.auth.upsertSuperuser('root@example.com', 'superuser passphrase');
      const root = await call(t, 'POST', '/api/collections/_superusers/auth-with-password', {
        identity: 'root@example.com',
        password: 'superuser passphrase',
      });
      assert.equal(root.status, 200, root.raw);
      const ada = (await login(t, 'ada@example.com')).body.record;
      const answer = await call(t, 'POST', `${U}/impersonate/${ada.id}`, { duration: 60 }, bearer(root.body.token));
      assert.equal(answer.status, 200, answer.raw);
      const claims = JSON.parse(Buffer.from(answer.body.token.split('.')[1], 'base64url').toString());
      assert.equal(claims.refreshable, false);
      const refreshed = await call(t, 'POST', `${U}/auth-refresh`, undefined, bearer(answer.body.token));
      assert.equal(refreshed.body.token, answer.body.token, 'comes back unchanged');
      assert.equal(
        (
          await call(
            t,
            'POST',
            `${U}/impersonate/${ada.id}`,
            {},
            bearer((await login(t, 'ada@example.com')).body.token),
          )
        ).status,
        403,
      );
    });

    it("never serves a collection's signing secrets, even to superusers", async () => {
      const root = await call(t, 'POST', '/api/collections/_superusers/auth-with-password', {
        identity: 'root@example.com',
        password: 'superuser passphrase',
      });
      for (const url of ['/api/collections/users', '/api/collections?perPage=100']) {
        const answer = await call(t, 'GET', url, undefined, bearer(root.body.token));
        assert.equal(answer.status, 200, answer.raw);
        assert.ok(answer.raw.includes('authToken'), 'the token settings are there');
        assert.ok(!answer.raw.includes('secret'), `no secret in ${url}`);
      }
      const users = t.collections.get('users');
      const patched = await call(
        t,
        'PATCH',
        '/api/collections/users',
        { authToken: { duration: 3600 } },
        bearer(root.body.token),
      );
      assert.equal(patched.status, 200, patched.raw);
      assert.equal(
        t.collections.get('users').authToken!.secret,
        users.authToken!.secret,
        'a PATCH keeps the stored secret',
      );
      assert.equal(t.collections.get('users').authToken!.duration, 3600);
    });

    it('lets a user change their own password only with the old one, then revokes old tokens', async () => {
      const { body } = await login(t, 'ada@example.com');
      const url = `${U}/records/${body.record.id}`;
      const next = 'another good passphrase';
      const noOld = await call(t, 'PATCH', url, { password: next, passwordConfirm: next }, bearer(body.token));
      assert.equal(noOld.body.data.oldPassword?.code, 'validation_invalid_old_password', noOld.raw);
      const ok = await call(
        t,
        'PATCH',
        url,
        { password: next, passwordConfirm: next, oldPassword: PASSWORD },
        bearer(body.token),
      );
      assert.equal(ok.status, 200, ok.raw);
      assert.equal(
        (await call(t, 'GET', url, undefined, bearer(body.token))).status,
        404,
        'the old token is a guest now',
      );
      assert.equal((await login(t, 'ada@example.com', next)).status, 200);
      const email = await call(
        t,
        'PATCH',
        url,
        { email: 'other@example.com' },
        bearer((await login(t, 'ada@example.com', next)).body.token),
      );
      assert.equal(email.body.data.email?.code, 'validation_email_change_forbidden', email.raw);
    });
  });
}

for (const { name: dialect, skip } of testDialects) {
  describe(`disabling a user on ${dialect}`, { skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect, {}, undefined, () => ({ ...defaultAuthRateLimits, enabled: false }));
      await t.collections.update('users', {
        authRule: 'active = true',
        fields: [...t.collections.get('users').fields, { name: 'active', type: 'bool' }],
      });
    });
    after(async () => t.cleanup());

    it('signs a user out everywhere when an update makes the authRule fail', async () => {
      const user = (
        await call(t, 'POST', `${U}/records`, {
          email: 'dee@example.com',
          password: PASSWORD,
          passwordConfirm: PASSWORD,
        })
      ).body;
      assert.equal((await login(t, 'dee@example.com')).status, 403, 'inactive users cannot log in');
      await t.records.update('users', user.id, { active: true }, {}, internalRequest(superuser()));
      const session = await login(t, 'dee@example.com', PASSWORD, { refreshToken: true });
      assert.equal(session.status, 200, session.raw);
      const url = `${U}/records/${user.id}`;
      assert.equal((await call(t, 'GET', url, undefined, bearer(session.body.token))).status, 200);
      await t.records.update('users', user.id, { active: false }, {}, internalRequest(superuser()));
      assert.equal(
        (await call(t, 'GET', url, undefined, bearer(session.body.token))).status,
        404,
        'the access token died',
      );
      assert.equal(
        (await call(t, 'POST', `${U}/auth-refresh`, { refreshToken: session.body.refreshToken })).status,
        401,
        'the refresh token died',
      );
    });
  });
}
