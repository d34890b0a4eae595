import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, decodeJwtExp, MemoryAuthStore, type ClientOptions } from '@tandem/sdk';
import { testDialects } from '@tandem/core/testing';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';

const PASSWORD = 'correct horse battery staple';

for (const { name: dialect, skip } of testDialects) {
  describe(`@tandem/sdk auth against tandem serve on ${dialect}`, { skip }, () => {
    let fixture: ServeFixture;
    let userId: string;
    const client = (options: ClientOptions = {}) =>
      createClient(fixture.server.url, { authStore: new MemoryAuthStore(), ...options });

    before(async () => {
      fixture = await startServeFixture(dialect, { superuser: true });
      // Rate limits are not this suite's subject (auth-rate-limit tests cover them); its
      // many sign-ins and token trades from one address would otherwise meet them.
      const root = client();
      await root.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
      await root.send({ method: 'PATCH', path: '/api/settings', body: { rateLimits: { enabled: false } } });
      const user = await client()
        .collection('users')
        .create({ email: 'ada@example.com', password: PASSWORD, passwordConfirm: PASSWORD, name: 'Ada' });
      userId = user.id;
    });

    after(() => fixture?.dispose());

    it('signs in with a password and reads an owner-only record', async () => {
      const ada = client();
      const auth = await ada.collection('users').authWithPassword('ada@example.com', PASSWORD);
      assert.equal(auth.record.id, userId);
      assert.equal(ada.authStore.state.token, auth.token);
      assert.equal(ada.authStore.state.refreshToken, '', 'no refresh token unless asked');
      assert.equal((await ada.collection('users').get(userId)).email, 'ada@example.com');
      await assert.rejects(client().collection('users').get(userId), { status: 404 }, 'a guest cannot see it');
      await assert.rejects(ada.collection('users').authWithPassword('ada@example.com', 'wrong password!'), {
        status: 400,
        code: 'AUTH_FAILED',
      });
    });

    it('rotates the refresh token on a forced refresh, and the new access token works', async () => {
      const ada = client();
      await ada.collection('users').authWithPassword('ada@example.com', PASSWORD, { refreshToken: true });
      const first = ada.authStore.state;
      assert.ok(first.refreshToken, 'a refresh token');
      await new Promise((resolve) => setTimeout(resolve, 1100)); // a new iat, so a new token
      const refreshed = await ada.collection('users').authRefresh();
      assert.notEqual(refreshed.refreshToken, first.refreshToken, 'rotated');
      assert.notEqual(ada.authStore.state.token, first.token);
      assert.equal(ada.authStore.state.refreshToken, refreshed.refreshToken);
      assert.equal((await ada.collection('users').get(userId)).id, userId);
      ada.close();
    });

    it('trades the refresh token by itself when the access token is within the refresh margin', async () => {
      // A margin longer than the access token's life makes every request find it expiring.
      const ada = client({ refreshMarginMs: 24 * 3600 * 1000 });
      await ada.collection('users').authWithPassword('ada@example.com', PASSWORD, { refreshToken: true });
      const before = ada.authStore.state.refreshToken;
      assert.ok(
        decodeJwtExp(ada.authStore.state.token)! * 1000 < Date.now() + 3600 * 1000,
        'the access token is short-lived',
      );
      await Promise.all([
        ada.collection('users').get(userId),
        ada.collection('users').get(userId),
        ada.collection('users').get(userId),
      ]);
      assert.notEqual(ada.authStore.state.refreshToken, before, 'traded');
      assert.ok(ada.authStore.state.token, 'still signed in: the concurrent requests shared one trade');
      ada.close();
    });

    it('signs out when a revoked refresh token is presented', async () => {
      const ada = client();
      await ada.collection('users').authWithPassword('ada@example.com', PASSWORD, { refreshToken: true });
      const stolen = { ...ada.authStore.state };
      await ada.collection('users').logout();
      assert.deepEqual(ada.authStore.state, { token: '', record: null, refreshToken: '', csrfToken: '' });
      const thief = client({ authStore: new MemoryAuthStore(stolen) });
      await assert.rejects(
        thief.refreshAuth(),
        (error: { status: number; code: string }) =>
          error.status === 401 && /^AUTH_REFRESH_(INVALID|REUSED)$/.test(error.code),
      );
      assert.equal(thief.authStore.state.token, '', 'the store was cleared');
    });

    it('logs out everywhere: other sign-ins stop working', async () => {
      const phone = client();
      const laptop = client();
      await phone.collection('users').authWithPassword('ada@example.com', PASSWORD);
      await laptop.collection('users').authWithPassword('ada@example.com', PASSWORD, { refreshToken: true });
      await phone.collection('users').logoutEverywhere();
      assert.equal(phone.authStore.state.token, '');
      await assert.rejects(laptop.collection('users').get(userId), { status: 404 }, 'its access token is dead at once');
      await assert.rejects(laptop.refreshAuth(), { status: 401, code: 'AUTH_REFRESH_INVALID' });
      assert.equal(laptop.authStore.state.token, '', 'the laptop was signed out when its refresh failed');
    });

    it('asks for a cookie session and keeps its CSRF token', async () => {
      const ada = client();
      const auth = await ada.collection('users').authWithPassword('ada@example.com', PASSWORD, { session: true });
      assert.ok(auth.csrfToken);
      assert.equal(ada.authStore.state.csrfToken, auth.csrfToken);
    });
  });
}
