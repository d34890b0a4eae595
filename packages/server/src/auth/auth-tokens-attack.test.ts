import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { signRecordToken, sql, type AuthCollection } from '@tandem/core';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { bearer, call } from '../testing/http-client.fixture.js';

const U = '/api/collections/users';
const PASSWORD = 'correct horse battery staple';

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const hs256 = (header: unknown, payload: unknown, key: string | Buffer) => {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
};

/**
 * The JWT negative suite (RFC 8725): every forged, foreign or stale token must get the
 * exact answer a request without a token gets. The probe is the owner-only view of the
 * user's own record: a guest gets 404, the owner 200.
 */
for (const { name: dialect, skip } of testDialects) {
  describe(`access tokens under attack on ${dialect}`, { skip }, () => {
    let t: TestApp;
    let userId: string;
    let valid: string;
    let claims: Record<string, unknown>;
    let keyListener: Server;
    let keyFetches = 0;

    before(async () => {
      t = await createTestApp(dialect);
      const created = await call(t, 'POST', `${U}/records`, {
        email: 'victim@example.com',
        password: PASSWORD,
        passwordConfirm: PASSWORD,
      });
      userId = created.body.id;
      valid = (await call(t, 'POST', `${U}/auth-with-password`, { identity: 'victim@example.com', password: PASSWORD }))
        .body.token;
      claims = JSON.parse(Buffer.from(valid.split('.')[1]!, 'base64url').toString());
      keyListener = createServer((socket) => {
        keyFetches++;
        socket.destroy();
      });
      await new Promise<void>((resolve) => keyListener.listen(0, '127.0.0.1', resolve));
    });
    after(async () => {
      keyListener.close();
      await t.cleanup();
    });

    const probe = (headers: Record<string, string> = {}) =>
      call(t, 'GET', `${U}/records/${userId}`, undefined, headers);

    it('serves the owner with a valid token (the probe works)', async () => {
      assert.equal((await probe(bearer(valid))).status, 200);
      assert.equal(
        (await probe({ authorization: valid })).status,
        200,
        'the raw token without Bearer, as the SDK sends it',
      );
      assert.equal((await probe()).status, 404);
    });

    it('treats every forged or foreign token exactly like no token', async () => {
      const guest = await probe();
      const port = (keyListener.address() as { port: number }).port;
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const now = Math.floor(Date.now() / 1000);
      const [head, body] = valid.split('.');
      const forged: Array<[string, string]> = [
        ...['none', 'None', 'NONE', 'nOnE'].map((alg): [string, string] => [
          `alg ${alg}`,
          `${b64({ alg, typ: 'JWT' })}.${body}.`,
        ]),
        ['empty signature', `${head}.${body}.`],
        ['truncated signature', valid.slice(0, -5)],
        ['tampered payload', `${head}.${b64({ ...claims, id: 'someoneelse1234' })}.${valid.split('.')[2]}`],
        ['HS256 keyed with an RSA public key', hs256({ alg: 'HS256', typ: 'JWT' }, claims, pem)],
        ['HS256 keyed with the PEM plus leading whitespace', hs256({ alg: 'HS256', typ: 'JWT' }, claims, `\n ${pem}`)],
        ['RS256 header', hs256({ alg: 'RS256', typ: 'JWT' }, claims, pem)],
        ['kid path traversal', hs256({ alg: 'HS256', typ: 'JWT', kid: '../../dev/null' }, claims, '')],
        ['kid SQL', hs256({ alg: 'HS256', typ: 'JWT', kid: "' OR 1=1--" }, claims, '')],
        ['kid quote', hs256({ alg: 'HS256', typ: 'JWT', kid: '"}' }, claims, '')],
        ['jku', hs256({ alg: 'HS256', typ: 'JWT', jku: `http://127.0.0.1:${port}/jwks` }, claims, '')],
        ['x5u', hs256({ alg: 'HS256', typ: 'JWT', x5u: `http://127.0.0.1:${port}/cert` }, claims, '')],
        [
          'embedded jwk',
          hs256({ alg: 'HS256', typ: 'JWT', jwk: { kty: 'oct', k: b64('attacker') } }, claims, 'attacker'),
        ],
        ['unknown crit', hs256({ alg: 'HS256', typ: 'JWT', crit: ['x-tandem'], 'x-tandem': 1 }, claims, '')],
        ['expired', hs256({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: now - 10 }, '')],
        ['not yet valid', hs256({ alg: 'HS256', typ: 'JWT' }, { ...claims, nbf: now + 3600 }, '')],
        ['garbage', 'not.a.token'],
        ['huge', 'a'.repeat(5000)],
      ];
      for (const [name, token] of forged) {
        const answer = await probe(bearer(token));
        assert.equal(answer.status, guest.status, name);
        assert.equal(answer.raw, guest.raw, name);
      }
      assert.equal(keyFetches, 0, 'no token made the server fetch a key');
    });

    it('refuses verification, reset and email-change tokens as access tokens', async () => {
      const guest = await probe();
      await call(t, 'POST', `${U}/request-verification`, { email: 'victim@example.com' });
      await call(t, 'POST', `${U}/request-password-reset`, { email: 'victim@example.com' });
      await call(t, 'POST', `${U}/request-email-change`, { newEmail: 'victim2@example.com' }, bearer(valid));
      const mails = await t.outbox.list({ limit: 10 });
      const tokens = mails
        .map((m) => /confirm-[a-z-]+\/([A-Za-z0-9_.-]+)/.exec(m.text)?.[1])
        .filter((x): x is string => Boolean(x));
      assert.ok(tokens.length >= 3, `three mailed tokens, got ${tokens.length}`);
      for (const token of tokens) assert.equal((await probe(bearer(token))).raw, guest.raw);
    });

    it('refuses a refresh token and a file token as access tokens', async () => {
      const guest = await probe();
      const withRefresh = await call(t, 'POST', `${U}/auth-with-password`, {
        identity: 'victim@example.com',
        password: PASSWORD,
        refreshToken: true,
      });
      assert.equal((await probe(bearer(withRefresh.body.refreshToken))).raw, guest.raw, 'refresh token');
      const users = t.collections.get('users') as AuthCollection;
      const [record] = await t.store.all<{ tokenKey: string }>(
        sql`SELECT "tokenKey" FROM "users" WHERE "id" = ${userId}`,
      );
      const fileToken = await signRecordToken(users, { id: userId, tokenKey: record!.tokenKey }, 'file');
      assert.equal((await probe(bearer(fileToken))).raw, guest.raw, 'file token');
      const sameKeyAuth = await signRecordToken(users, { id: userId, tokenKey: record!.tokenKey }, 'auth');
      assert.equal(
        (await probe(bearer(sameKeyAuth))).status,
        200,
        'the same key with type auth works, so the type is what refuses it',
      );
    });

    it('refuses a token issued before a password change', async () => {
      const guest = await probe();
      const before = (
        await call(t, 'POST', `${U}/auth-with-password`, { identity: 'victim@example.com', password: PASSWORD })
      ).body.token;
      const next = 'victim chose a new passphrase';
      assert.equal(
        (
          await call(
            t,
            'PATCH',
            `${U}/records/${userId}`,
            { password: next, passwordConfirm: next, oldPassword: PASSWORD },
            bearer(before),
          )
        ).status,
        200,
      );
      assert.equal((await probe(bearer(before))).raw, guest.raw);
      assert.equal(
        (
          await call(
            t,
            'PATCH',
            `${U}/records/${userId}`,
            { password: PASSWORD, passwordConfirm: PASSWORD, oldPassword: next },
            bearer(
              (
                await call(t, 'POST', `${U}/auth-with-password`, { identity: 'victim@example.com', password: next })
              ).body.token,
            ),
          )
        ).status,
        200,
      );
      valid = (await call(t, 'POST', `${U}/auth-with-password`, { identity: 'victim@example.com', password: PASSWORD }))
        .body.token;
    });

    it('refuses a token after logout-everywhere, and a token of a deleted user', async () => {
      const guest = await probe();
      assert.equal((await call(t, 'POST', `${U}/auth-logout-all`, undefined, bearer(valid))).status, 204);
      assert.equal((await probe(bearer(valid))).raw, guest.raw);
      const fresh = (
        await call(t, 'POST', `${U}/auth-with-password`, { identity: 'victim@example.com', password: PASSWORD })
      ).body.token;
      assert.equal((await probe(bearer(fresh))).status, 200);
      assert.equal((await call(t, 'DELETE', `${U}/records/${userId}`, undefined, bearer(fresh))).status, 204);
      assert.equal((await probe(bearer(fresh))).raw, guest.raw);
    });
  });
}
