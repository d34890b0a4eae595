import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { EventSource } from 'eventsource';
import PocketBase, { type AuthProviderInfo, type ClientResponseError } from 'pocketbase';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { startTestIdp, type IdpAccount, type TestIdp } from '../testing/oidc-provider.fixture.js';

// Node 20 has no global EventSource; the SDK's popup flow listens on realtime.
Object.assign(globalThis, { EventSource });

/** Where an app without realtime sends the provider back (registered at the provider). */
const APP_CALLBACK = 'http://127.0.0.1/app-callback';
const PASSWORD = 'correct horse battery staple';

const accounts: Record<string, IdpAccount> = {
  ada: { sub: 'ada', email: 'ada@example.com', email_verified: true, name: 'Ada Lovelace' },
  grace: { sub: 'grace', email: 'grace@example.com', email_verified: true, name: 'Grace Hopper' },
  mallory: { sub: 'mallory', email: 'victim@example.com', email_verified: false, name: 'Mallory' },
  linus: { sub: 'linus', email: 'linus@example.com', email_verified: false, name: 'Linus' },
  joan: { sub: 'joan', email: 'joan@example.com', email_verified: true, name: 'Joan Clarke' },
  ken: { sub: 'ken', email: 'ken@example.com', email_verified: true, name: 'Ken Thompson' },
};

/** The refusal's status and catalog code. */
function refusedWith(status: number, code: string) {
  return (error: ClientResponseError) => {
    assert.equal(error.status, status, JSON.stringify(error.response));
    assert.equal(error.response.code, code);
    return true;
  };
}

/**
 * OAuth2 / OpenID Connect sign-in end to end: the official pocketbase SDK against
 * Tandem, and a real identity provider (`oidc-provider`) that Tandem discovers, trades
 * codes with and reads users from. Nothing is mocked.
 */
for (const { name: dialect, skip } of testDialects) {
  describe(`OAuth2 sign-in with the pocketbase SDK and a real OpenID provider on ${dialect}`, { skip }, () => {
    let t: TestApp;
    let idp: TestIdp;
    let base: string;
    const client = () => {
      const pb = new PocketBase(base);
      pb.autoCancellation(false);
      return pb;
    };
    const oidcProvider = async (pb: PocketBase, name = 'oidc'): Promise<AuthProviderInfo> => {
      const methods = await pb.collection('users').listAuthMethods();
      const found = methods.oauth2.providers.find((p) => p.name === name);
      assert.ok(found, `provider ${name} is listed`);
      return found;
    };
    /** Logs in at the provider as `as`; the code and the PKCE verifier that go with it. */
    const codeFor = async (pb: PocketBase, as: string, name = 'oidc') => {
      const provider = await oidcProvider(pb, name);
      const back = await idp.authorize(provider.authURL + APP_CALLBACK, as);
      assert.equal(back.searchParams.get('state'), provider.state, 'the provider returns the state');
      return { code: back.searchParams.get('code') ?? '', verifier: provider.codeVerifier, provider };
    };
    const signIn = async (pb: PocketBase, as: string, createData?: Record<string, unknown>) => {
      const { code, verifier } = await codeFor(pb, as);
      return pb.collection('users').authWithOAuth2Code('oidc', code, verifier, APP_CALLBACK, createData);
    };

    before(async () => {
      t = await createTestApp(dialect);
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      idp = await startTestIdp([`${base}/api/oauth2-redirect`, APP_CALLBACK]);
      for (const account of Object.values(accounts)) idp.addAccount(account);
      const discovery = { discoveryURL: idp.discoveryURL };
      await t.collections.update('users', {
        oauth2: {
          enabled: true,
          mappedFields: { name: 'name' },
          providers: [
            { name: 'oidc', clientId: idp.clientId, clientSecret: idp.clientSecret, extra: discovery },
            { name: 'oidc2', clientId: idp.clientId, clientSecret: 'not-the-secret', extra: discovery },
          ],
        },
      });
    });

    after(async () => {
      await idp?.close();
      await t?.cleanup();
    });

    it('lists the providers with a state, a PKCE pair and an authURL awaiting its redirect_uri', async () => {
      const provider = await oidcProvider(client());
      assert.equal(provider.authURL.endsWith('&redirect_uri='), true);
      assert.equal(provider.codeChallengeMethod, 'S256');
      assert.equal(provider.codeChallenge, createHash('sha256').update(provider.codeVerifier).digest('base64url'));
      const url = new URL(provider.authURL);
      assert.equal(url.searchParams.get('state'), provider.state);
      assert.equal(url.searchParams.get('client_id'), idp.clientId);
      assert.equal(url.origin, idp.issuer, 'the authorization endpoint came from discovery');
    });

    it('never serves a client secret, not even to a superuser', async () => {
      const methods = await client().send('/api/collections/users/auth-methods', {});
      assert.equal(JSON.stringify(methods).includes(idp.clientSecret), false);
      await t.auth.upsertSuperuser('root@example.com', PASSWORD);
      const admin = client();
      await admin.collection('_superusers').authWithPassword('root@example.com', PASSWORD);
      const users = await admin.collections.getOne('users');
      assert.equal(JSON.stringify(users).includes(idp.clientSecret), false);
      assert.equal(users.oauth2.providers[0]?.clientId, idp.clientId);
    });

    it('creates a verified user from a new account, with the mapped name', async () => {
      const pb = client();
      const auth = await signIn(pb, 'ada');
      assert.equal(auth.record.email, 'ada@example.com');
      assert.equal(auth.record.verified, true);
      assert.equal(auth.record.name, 'Ada Lovelace');
      assert.equal(auth.meta?.isNew, true);
      assert.equal(auth.meta?.email, 'ada@example.com');
      assert.equal(pb.authStore.isValid, true);
      assert.equal((await pb.collection('users').authRefresh()).record.id, auth.record.id);
    });

    it('signs a linked account in as the same record', async () => {
      const first = await signIn(client(), 'ada');
      const again = await signIn(client(), 'ada');
      assert.equal(again.record.id, first.record.id);
      assert.equal(again.meta?.isNew, false);
    });

    it('links an existing account when the provider verified its email, and ends its old password', async () => {
      const pb = client();
      const user = await pb
        .collection('users')
        .create({ email: 'grace@example.com', password: PASSWORD, passwordConfirm: PASSWORD });
      const auth = await signIn(client(), 'grace');
      assert.equal(auth.record.id, user.id);
      assert.equal(auth.record.verified, true);
      assert.equal(auth.meta?.isNew, false);
      await assert.rejects(
        pb.collection('users').authWithPassword('grace@example.com', PASSWORD),
        refusedWith(400, 'AUTH_FAILED'),
      );
    });

    it('refuses an unverified email that an existing account has, and links nothing', async () => {
      const pb = client();
      await pb
        .collection('users')
        .create({ email: 'victim@example.com', password: PASSWORD, passwordConfirm: PASSWORD });
      await assert.rejects(signIn(client(), 'mallory'), refusedWith(403, 'AUTH_OAUTH2_EMAIL_UNVERIFIED'));
      await assert.rejects(signIn(client(), 'mallory'), refusedWith(403, 'AUTH_OAUTH2_EMAIL_UNVERIFIED'));
      const owner = await pb.collection('users').authWithPassword('victim@example.com', PASSWORD);
      assert.equal(owner.record.email, 'victim@example.com');
    });

    it('creates an unverified user from an unverified email nobody has', async () => {
      const auth = await signIn(client(), 'linus');
      assert.equal(auth.record.email, 'linus@example.com');
      assert.equal(auth.record.verified, false);
    });

    it('refuses a code with the wrong PKCE verifier', async () => {
      const pb = client();
      const { code } = await codeFor(pb, 'ada');
      const wrong = 'a'.repeat(43);
      await assert.rejects(
        pb.collection('users').authWithOAuth2Code('oidc', code, wrong, APP_CALLBACK),
        refusedWith(400, 'AUTH_OAUTH2_CODE_REJECTED'),
      );
      assert.equal(pb.authStore.isValid, false);
    });

    it('refuses a code used a second time', async () => {
      const pb = client();
      const { code, verifier } = await codeFor(pb, 'ada');
      await pb.collection('users').authWithOAuth2Code('oidc', code, verifier, APP_CALLBACK);
      await assert.rejects(
        client().collection('users').authWithOAuth2Code('oidc', code, verifier, APP_CALLBACK),
        refusedWith(400, 'AUTH_OAUTH2_CODE_REJECTED'),
      );
    });

    it('refuses a provider the collection does not configure', async () => {
      await assert.rejects(
        client().collection('users').authWithOAuth2Code('gitlab', 'some-code', 'v', APP_CALLBACK),
        refusedWith(400, 'AUTH_OAUTH2_PROVIDER_INVALID'),
      );
    });

    it('answers a provider failure (it refuses the client) as AUTH_OAUTH2_PROVIDER_FAILED', async () => {
      const pb = client();
      const { code, verifier } = await codeFor(pb, 'ada', 'oidc2');
      await assert.rejects(
        pb.collection('users').authWithOAuth2Code('oidc2', code, verifier, APP_CALLBACK),
        refusedWith(502, 'AUTH_OAUTH2_PROVIDER_FAILED'),
      );
    });

    it('completes the popup flow over realtime (authWithOAuth2 with a provider)', async () => {
      const pb = client();
      let page = 0;
      const auth = await pb.collection('users').authWithOAuth2({
        provider: 'oidc',
        urlCallback: async (url) => {
          const back = await idp.authorize(url, 'ada');
          assert.equal(back.origin + back.pathname, `${base}/api/oauth2-redirect`);
          page = (await fetch(back)).status;
        },
      });
      assert.equal(auth.record.email, 'ada@example.com');
      assert.equal(pb.authStore.isValid, true);
      assert.equal(page, 200);
    });

    it('passes a provider error to the popup flow, which fails with it', async () => {
      const pb = client();
      // Set before the redirect is sent, so it exists once the SDK has failed.
      let page: Promise<Response> | undefined;
      await assert.rejects(
        pb.collection('users').authWithOAuth2({
          provider: 'oidc',
          urlCallback: async (url) => {
            const back = await idp.authorize(url, 'deny');
            assert.equal(back.searchParams.get('error'), 'access_denied');
            page = fetch(back);
            await page;
          },
        }),
        (error: ClientResponseError) => /access_denied/.test(String(error.originalError?.message)),
      );
      const answer = await page!;
      assert.equal(answer.status, 400);
      assert.match(await answer.text(), /AUTH_OAUTH2_REDIRECT_ERROR/);
    });

    it('refuses a redirect whose state names no waiting client', async () => {
      const response = await fetch(`${base}/api/oauth2-redirect?state=not-a-client-id&code=abc`);
      assert.equal(response.status, 400);
      assert.match(await response.text(), /AUTH_OAUTH2_STATE_INVALID/);
      const posted = await fetch(`${base}/api/oauth2-redirect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'state=not-a-client-id&code=abc',
      });
      assert.equal(posted.status, 400);
      assert.match(await posted.text(), /AUTH_OAUTH2_STATE_INVALID/);
    });

    it("lists and unlinks a user's own external auths (_externalAuths), never another's", async () => {
      const joan = client();
      const joanId = (await signIn(joan, 'joan')).record.id;
      const ken = client();
      await signIn(ken, 'ken');
      const links = await joan.collection('users').listExternalAuths(joanId);
      assert.deepEqual(
        links.map((l) => [l.collectionName, l.recordRef, l.provider, l.providerId]),
        [['_externalAuths', joanId, 'oidc', 'joan']],
      );
      assert.deepEqual(
        await ken.collection('users').listExternalAuths(joanId),
        [],
        "another user's links are not listed",
      );
      assert.deepEqual(await client().collection('users').listExternalAuths(joanId), [], 'nor a guest');
      // The SDK finds no link of Joan's that Ken may see, and says 404 itself.
      await assert.rejects(ken.collection('users').unlinkExternalAuth(joanId, 'oidc'), { status: 404 });
      await assert.rejects(ken.collection('_externalAuths').delete(links[0]!.id), refusedWith(404, 'NOT_FOUND'));
      await assert.rejects(
        joan.collection('_externalAuths').getList(1, 10, { filter: 'provider ~ "o"' }),
        refusedWith(400, 'FILTER_INVALID'),
      );
      assert.equal(await joan.collection('users').unlinkExternalAuth(joanId, 'oidc'), true);
      assert.deepEqual(await joan.collection('users').listExternalAuths(joanId), []);
      const again = await signIn(client(), 'joan');
      assert.equal(again.meta?.isNew, false, 'the verified email links the same account again');
      assert.equal(again.record.id, joanId);
    });
  });
}
