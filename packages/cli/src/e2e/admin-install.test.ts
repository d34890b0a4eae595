import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';

describe('tandem serve with no superuser', () => {
  let fixture: ServeFixture;
  let link: URL;

  before(async () => {
    fixture = await startServeFixture('sqlite');
    const printed = /Create one at (\S+)/.exec(fixture.server.output())?.[1];
    assert.ok(printed, fixture.server.output());
    link = new URL(printed);
  });
  after(() => fixture?.dispose());

  it('serves the admin UI at /_/ with a same-origin-only CSP', async () => {
    const response = await fetch(new URL('/_/', link));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const html = await response.text();
    for (const [, src] of html.matchAll(/(?:src|href)="([^"]+)"/g))
      assert.ok(src!.startsWith('/_/'), `${src} is served by Tandem itself`);
  });

  it('prints a one-time link that creates the first superuser once', async () => {
    const token = link.hash.replace('#/install/', '');
    const install = (email: string) =>
      fetch(new URL('/api/superusers/install', link), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, email, password: 'first passphrase 123' }),
      });
    assert.equal((await install('first@example.com')).status, 204);
    assert.equal((await install('second@example.com')).status, 403);
    const signIn = await fetch(new URL('/api/collections/_superusers/auth-with-password', link), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity: 'first@example.com', password: 'first passphrase 123' }),
    });
    assert.equal(signIn.status, 200);
  });
});
