import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { bearer, call } from '../testing/http-client.fixture.js';
import { defaultAuthRateLimits } from '@tandem/core';

const U = '/api/collections/users';
const PASSWORD = 'correct horse battery staple';
const HOST = 'localhost:80';
const ORIGIN = 'http://localhost:80';

function cookieOf(setCookie: unknown): string {
  const header = Array.isArray(setCookie) ? setCookie[0] : String(setCookie);
  return header.split(';')[0]!;
}

for (const { name: dialect, skip } of testDialects) {
  describe(`refresh tokens, sessions and rate limits on ${dialect}`, { skip }, () => {
    let t: TestApp;
    let userId: string;
    const login = (extra: Record<string, unknown> = {}, email = 'sam@example.com') =>
      call(t, 'POST', `${U}/auth-with-password`, { identity: email, password: PASSWORD, ...extra });
    const refresh = (refreshToken: string) => call(t, 'POST', `${U}/auth-refresh`, { refreshToken });

    before(async () => {
      // Rate limits apply to one test only; the others must not trip them.
      let limits = { ...defaultAuthRateLimits, enabled: false };
      t = await createTestApp(dialect, {}, undefined, () => limits);
      (t as { setLimits?: (on: boolean) => void }).setLimits = (on) =>
        (limits = { ...defaultAuthRateLimits, enabled: on });
      userId = (
        await call(t, 'POST', `${U}/records`, {
          email: 'sam@example.com',
          password: PASSWORD,
          passwordConfirm: PASSWORD,
        })
      ).body.id;
      await call(t, 'POST', `${U}/records`, {
        email: 'kim@example.com',
        password: PASSWORD,
        passwordConfirm: PASSWORD,
      });
    });
    after(async () => t.cleanup());

    it('issues a refresh token on request, with a short non-refreshable access token', async () => {
      const answer = await login({ refreshToken: true });
      assert.equal(answer.status, 200, answer.raw);
      assert.ok(answer.body.refreshToken.length >= 22, 'at least 128 bits');
      const claims = JSON.parse(Buffer.from(answer.body.token.split('.')[1], 'base64url').toString());
      assert.equal(claims.refreshable, false);
      assert.ok(claims.exp - claims.iat <= 900);
      assert.equal((await login()).body.refreshToken, undefined, 'plain PocketBase logins get none');
    });

    it('rotates: each refresh gives a new token; reuse inside the grace window gives the same successor', async () => {
      // A client that lost the answer of a refresh may present the parent again and gets the same successor.
      const first = (await login({ refreshToken: true })).body.refreshToken;
      const a = await refresh(first);
      assert.equal(a.status, 200, a.raw);
      assert.notEqual(a.body.refreshToken, first);
      const again = await refresh(first);
      assert.equal(again.status, 200, 'a concurrent tab inside the window');
      assert.equal(again.body.refreshToken, a.body.refreshToken);
      const b = await refresh(a.body.refreshToken);
      assert.equal(b.status, 200);
      assert.notEqual(b.body.refreshToken, a.body.refreshToken);
    });

    it('revokes the whole family when a rotated token is reused after the grace window', async () => {
      await t.collections.update('users', {
        refreshToken: { enabled: true, duration: 86_400, reuseInterval: 0, accessDuration: 900 },
      });
      try {
        const first = (await login({ refreshToken: true })).body.refreshToken;
        const second = (await refresh(first)).body.refreshToken;
        const third = (await refresh(second)).body.refreshToken;
        assert.equal(typeof third, 'string');
        const reuse = await refresh(first);
        assert.equal(reuse.status, 401, reuse.raw);
        assert.equal(reuse.body.code, 'AUTH_REFRESH_REUSED');
        assert.equal((await refresh(third)).status, 401, 'the newest token of the family dies too');
        assert.equal((await refresh(second)).status, 401, 'and every descendant stays dead');
      } finally {
        await t.collections.update('users', {
          refreshToken: { enabled: true, duration: 86_400, reuseInterval: 10, accessDuration: 900 },
        });
      }
    });

    it('logout revokes its refresh token; unknown tokens are 401', async () => {
      const token = (await login({ refreshToken: true })).body.refreshToken;
      assert.equal((await call(t, 'POST', `${U}/auth-logout`, { refreshToken: token })).status, 204);
      assert.equal((await refresh(token)).status, 401);
      assert.equal((await refresh('x'.repeat(43))).status, 401);
    });

    it('opens a cookie session: __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, a new id each login', async () => {
      const one = await login({ session: true });
      const two = await login({ session: true });
      const header = String(
        Array.isArray(one.headers['set-cookie']) ? one.headers['set-cookie'][0] : one.headers['set-cookie'],
      );
      assert.match(
        header,
        /^__Host-tandem_session=[A-Za-z0-9_-]{43,}; Path=\/; Max-Age=\d+; HttpOnly; Secure; SameSite=Lax$/,
      );
      assert.notEqual(cookieOf(one.headers['set-cookie']), cookieOf(two.headers['set-cookie']));
      assert.equal(typeof one.body.csrfToken, 'string');
    });

    it('reads with the cookie, and refuses cookie writes without the CSRF header or from a foreign Origin', async () => {
      const session = await login({ session: true });
      const cookie = cookieOf(session.headers['set-cookie']);
      const csrf = session.body.csrfToken as string;
      const url = `${U}/records/${userId}`;
      assert.equal((await call(t, 'GET', url, undefined, { cookie, host: HOST })).status, 200);
      const noToken = await call(t, 'PATCH', url, { name: 'x' }, { cookie, host: HOST, origin: ORIGIN });
      assert.equal(noToken.status, 403);
      assert.equal(noToken.body.code, 'AUTH_CSRF_FAILED');
      assert.equal(
        (
          await call(
            t,
            'PATCH',
            url,
            { name: 'x' },
            { cookie, host: HOST, origin: 'https://evil.example', 'x-csrf-token': csrf },
          )
        ).status,
        403,
      );
      assert.equal(
        (await call(t, 'PATCH', url, { name: 'x' }, { cookie, host: HOST, 'x-csrf-token': csrf })).status,
        403,
        'no Origin at all',
      );
      const ok = await call(
        t,
        'PATCH',
        url,
        { name: 'via cookie' },
        { cookie, host: HOST, origin: ORIGIN, 'x-csrf-token': csrf },
      );
      assert.equal(ok.status, 200, ok.raw);
    });

    it('logout ends the session and clears the cookie', async () => {
      const session = await login({ session: true });
      const cookie = cookieOf(session.headers['set-cookie']);
      const out = await call(t, 'POST', `${U}/auth-logout`, undefined, {
        cookie,
        host: HOST,
        origin: ORIGIN,
        'x-csrf-token': session.body.csrfToken,
      });
      assert.equal(out.status, 204);
      assert.match(String(out.headers['set-cookie']), /Max-Age=0/);
      assert.equal((await call(t, 'GET', `${U}/records/${userId}`, undefined, { cookie, host: HOST })).status, 404);
    });

    it('revokes every refresh token and session at once when the password changes', async () => {
      const withRefresh = (await login({ refreshToken: true })).body;
      const session = await login({ session: true });
      const cookie = cookieOf(session.headers['set-cookie']);
      const token = (await login()).body.token;
      const next = 'sam has a new passphrase';
      const changed = await call(
        t,
        'PATCH',
        `${U}/records/${userId}`,
        { password: next, passwordConfirm: next, oldPassword: PASSWORD },
        bearer(token),
      );
      assert.equal(changed.status, 200, changed.raw);
      assert.equal((await refresh(withRefresh.refreshToken)).status, 401);
      assert.equal((await call(t, 'GET', `${U}/records/${userId}`, undefined, { cookie, host: HOST })).status, 404);
      assert.equal((await call(t, 'GET', `${U}/records/${userId}`, undefined, bearer(token))).status, 404);
    });

    it('lets a superuser terminate every session and token of another user', async () => {
      await t.auth.upsertSuperuser('root@example.com', 'root passphrase 123');
      const root = (
        await call(t, 'POST', '/api/collections/_superusers/auth-with-password', {
          identity: 'root@example.com',
          password: 'root passphrase 123',
        })
      ).body.token;
      const kim = await call(t, 'POST', `${U}/auth-with-password`, {
        identity: 'kim@example.com',
        password: PASSWORD,
        refreshToken: true,
      });
      const kimId = kim.body.record.id;
      assert.equal(
        (await call(t, 'POST', `${U}/auth-logout-all`, { recordId: kimId }, bearer(kim.body.token))).status,
        204,
        'a user naming a record only signs themself out',
      );
      const again = await call(t, 'POST', `${U}/auth-with-password`, {
        identity: 'kim@example.com',
        password: PASSWORD,
        refreshToken: true,
      });
      assert.equal((await call(t, 'POST', `${U}/auth-logout-all`, { recordId: kimId }, bearer(root))).status, 204);
      assert.equal((await refresh(again.body.refreshToken)).status, 401);
      assert.equal((await call(t, 'GET', `${U}/records/${kimId}`, undefined, bearer(again.body.token))).status, 404);
    });

    it("lets a manager change another user's email, verified and password without oldPassword; others cannot", async () => {
      const users = t.collections.get('users');
      await t.collections.update('users', {
        manageRule: '@request.auth.email = "boss@example.com"',
        updateRule: 'id = @request.auth.id || @request.auth.email = "boss@example.com"',
      });
      try {
        await call(t, 'POST', `${U}/records`, {
          email: 'boss@example.com',
          password: PASSWORD,
          passwordConfirm: PASSWORD,
        });
        const boss = (
          await call(t, 'POST', `${U}/auth-with-password`, { identity: 'boss@example.com', password: PASSWORD })
        ).body.token;
        const target = (
          await call(t, 'POST', `${U}/records`, {
            email: 'staff@example.com',
            password: PASSWORD,
            passwordConfirm: PASSWORD,
          })
        ).body.id;
        const next = 'set by the manager 42';
        const managed = await call(
          t,
          'PATCH',
          `${U}/records/${target}`,
          { email: 'staff2@example.com', verified: true, password: next, passwordConfirm: next },
          bearer(boss),
        );
        assert.equal(managed.status, 200, managed.raw);
        assert.equal(managed.body.verified, true);
        assert.equal(
          (await call(t, 'POST', `${U}/auth-with-password`, { identity: 'staff2@example.com', password: next })).status,
          200,
        );
        const staff = (
          await call(t, 'POST', `${U}/auth-with-password`, { identity: 'staff2@example.com', password: next })
        ).body.token;
        const self = await call(t, 'PATCH', `${U}/records/${target}`, { verified: false }, bearer(staff));
        assert.equal(self.body.data?.verified?.code, 'validation_values_mismatch', self.raw);
      } finally {
        await t.collections.update('users', { manageRule: users.manageRule ?? null, updateRule: users.updateRule });
      }
    });

    it('rate-limits logins per identity: exactly N tries, then 429 with Retry-After, whatever the case, spacing or X-Forwarded-For', async () => {
      (t as unknown as { setLimits: (on: boolean) => void }).setLimits(true);
      try {
        const max = defaultAuthRateLimits.perIdentity['auth-with-password']!.max;
        const statuses: number[] = [];
        for (let i = 0; i < max + 5; i++) {
          const identity = i % 2 ? ' KIM@example.com ' : 'kim@EXAMPLE.com';
          const answer = await call(
            t,
            'POST',
            `${U}/auth-with-password`,
            { identity, password: 'wrong password', junk: i },
            { 'x-forwarded-for': `10.0.0.${i}` },
          );
          statuses.push(answer.status);
          if (answer.status === 429) assert.ok(Number(answer.headers['retry-after']) >= 1, 'Retry-After');
        }
        assert.equal(statuses.filter((s) => s !== 429).length, max, statuses.join(','));
        assert.equal(
          (await call(t, 'POST', `${U}/auth-with-password`, { identity: 'kim@example.com', password: PASSWORD }))
            .status,
          429,
          'even the right password waits',
        );
      } finally {
        (t as unknown as { setLimits: (on: boolean) => void }).setLimits(false);
      }
    });
  });
}
