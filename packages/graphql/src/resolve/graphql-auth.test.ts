/**
 * Sign-in over GraphQL, and auth exactly as REST: the Authorization header, or the
 * cookie session with its CSRF rule.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, call, OWNER_NOTES_PASSWORD, setUpOwnerNotes, type FixtureUser } from '@tandem/server/testing';
import { createGraphqlTestApp, errorCodes, gql, gqlGet, type GraphqlTestApp } from '../testing/graphql-app.fixture.js';

const ORIGIN = 'http://localhost:80';

describe('GraphQL auth', () => {
  let t: GraphqlTestApp;
  let ann: FixtureUser;
  before(async () => {
    t = await createGraphqlTestApp('sqlite');
    ({ ann } = await setUpOwnerNotes(t));
    await t.seed('notes', { owner: ann.id, secret: 'ann only' });
  });
  after(async () => t.cleanup());

  it('signs in with a password and answers {token record}', async () => {
    const answer = await gql(
      t,
      `mutation { auth_with_password_users(identity: "ann@example.com", password: "${OWNER_NOTES_PASSWORD}") {
         token record { id email } } }`,
    );
    const signedIn = answer.body.data.auth_with_password_users;
    assert.equal(signedIn.record.id, ann.id);
    const notes = await gql(t, '{ notes { items { secret } } }', undefined, bearer(signedIn.token));
    assert.deepEqual(notes.body.data.notes.items, [{ secret: 'ann only' }]);
  });

  it('refuses a wrong password with AUTH_FAILED, as REST', async () => {
    const answer = await gql(
      t,
      'mutation { auth_with_password_users(identity: "ann@example.com", password: "nope") { token } }',
    );
    assert.deepEqual(errorCodes(answer), ['AUTH_FAILED']);
    const rest = await call(t, 'POST', '/api/collections/users/auth-with-password', {
      identity: 'ann@example.com',
      password: 'nope',
    });
    assert.equal(answer.body.errors![0].extensions.status, rest.status);
  });

  it('refreshes the token of the request, and asks for one without it', async () => {
    const refreshed = await gql(
      t,
      'mutation { auth_refresh_users { token record { id } } }',
      undefined,
      bearer(ann.token),
    );
    assert.equal(refreshed.body.data.auth_refresh_users.record.id, ann.id);
    const guest = await gql(t, 'mutation { auth_refresh_users { token } }');
    assert.deepEqual(errorCodes(guest), ['AUTH_REQUIRED']);
    assert.equal(guest.body.errors![0].extensions.status, 401);
  });

  it("refreshes with the bare auth_refresh in the collection of the caller's token", async () => {
    const refreshed = await gql(t, 'mutation { auth_refresh { token record } }', undefined, bearer(ann.token));
    assert.equal(refreshed.body.data.auth_refresh.record.id, ann.id);
    assert.equal(refreshed.body.data.auth_refresh.record.collectionName, 'users');
    const again = await gql(t, '{ notes { totalItems } }', undefined, bearer(refreshed.body.data.auth_refresh.token));
    assert.equal(again.body.errors, undefined);
    const guest = await gql(t, 'mutation { auth_refresh { token } }');
    assert.deepEqual(errorCodes(guest), ['AUTH_REQUIRED']);
  });

  it('reads with the session cookie by GET, and refuses a cookie POST without the CSRF token', async () => {
    const login = await call(t, 'POST', '/api/collections/users/auth-with-password', {
      identity: 'ann@example.com',
      password: OWNER_NOTES_PASSWORD,
      session: true,
    });
    const header = login.headers['set-cookie'];
    const cookie = String(Array.isArray(header) ? header[0] : header).split(';')[0]!;
    const csrf = login.body.csrfToken as string;
    const read = await gqlGet(t, '{ notes { items { secret } } }', undefined, { cookie });
    assert.deepEqual(read.body.data.notes.items, [{ secret: 'ann only' }]);
    const write = 'mutation { create_notes(data: { secret: "x" }) { id } }';
    const refused = await gql(t, write, undefined, { cookie, host: 'localhost:80', origin: ORIGIN });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'AUTH_CSRF_FAILED');
    const allowed = await gql(t, write, undefined, {
      cookie,
      host: 'localhost:80',
      origin: ORIGIN,
      'x-csrf-token': csrf,
    });
    assert.equal(allowed.body.errors, undefined, allowed.raw);
  });
});
