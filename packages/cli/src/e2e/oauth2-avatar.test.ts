/**
 * An OAuth2 sign-up fills a file field mapped as `avatarURL` with the provider's
 * picture, downloaded and stored like an upload; a picture that is no image, or too
 * big, is dropped and the sign-up still succeeds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import PocketBase from 'pocketbase';
import { startTestIdp, type TestIdp } from '@tandem/server/testing';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';
import { pngImage } from '../testing/file-collections.fixture.js';

const APP_CALLBACK = 'http://127.0.0.1/app-callback';

describe('OAuth2 avatars into a file field', () => {
  let fixture: ServeFixture;
  let idp: TestIdp;
  let pictures: Server;
  let picturesUrl: string;
  let png: Buffer;

  before(async () => {
    png = await pngImage(64, 64);
    pictures = createServer((request, response) => {
      if (request.url === '/ada.png') return response.writeHead(200, { 'content-type': 'image/png' }).end(png);
      if (request.url === '/secret.json')
        return response.writeHead(200, { 'content-type': 'image/png' }).end('{"internal":"secret"}');
      if (request.url === '/huge.png') return response.writeHead(200).end(Buffer.alloc(300 * 1024, png));
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => pictures.listen(0, '127.0.0.1', resolve));
    picturesUrl = `http://127.0.0.1:${(pictures.address() as AddressInfo).port}`;
    idp = await startTestIdp([APP_CALLBACK]);
    for (const [sub, picture] of [
      ['ada', '/ada.png'],
      ['eve', '/secret.json'],
      ['bob', '/huge.png'],
    ] as const)
      idp.addAccount({
        sub,
        email: `${sub}@example.com`,
        email_verified: true,
        name: sub,
        picture: picturesUrl + picture,
      });
    fixture = await startServeFixture('sqlite', { superuser: true });
    const admin = new PocketBase(fixture.server.url);
    await admin.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
    const users = await admin.collections.getOne('users');
    await admin.collections.update('users', {
      fields: [...users.fields, { name: 'photo', type: 'file', maxSelect: 1, maxSize: 200 * 1024, protected: true }],
      oauth2: {
        enabled: true,
        mappedFields: { avatarURL: 'photo' },
        providers: [
          {
            name: 'oidc',
            clientId: idp.clientId,
            clientSecret: idp.clientSecret,
            extra: { discoveryURL: idp.discoveryURL },
          },
        ],
      },
    });
  });

  after(async () => {
    await fixture?.dispose();
    await idp?.close();
    pictures?.closeAllConnections();
    await new Promise((resolve) => pictures?.close(resolve));
  });

  const signUp = async (as: string) => {
    const pb = new PocketBase(fixture.server.url);
    const methods = await pb.collection('users').listAuthMethods();
    const provider = methods.oauth2.providers.find((p) => p.name === 'oidc')!;
    const back = await idp.authorize(provider.authURL + APP_CALLBACK, as);
    const code = back.searchParams.get('code') ?? '';
    return {
      pb,
      auth: await pb.collection('users').authWithOAuth2Code('oidc', code, provider.codeVerifier, APP_CALLBACK),
    };
  };

  it("stores the provider's picture in the mapped file field of a new account", async () => {
    const { pb, auth } = await signUp('ada');
    assert.match(auth.record.photo, /^avatar_[a-z0-9]{10}\.png$/);
    // Users see only their own record, and the field is protected: the URL carries the owner's file token.
    const token = await pb.files.getToken();
    const served = await fetch(pb.files.getURL(auth.record, auth.record.photo, { token }));
    assert.equal(served.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), png);
  });

  it('drops a picture that is not an image, whatever its Content-Type, and signs up without it', async () => {
    const { auth } = await signUp('eve');
    assert.equal(auth.meta?.isNew, true);
    assert.equal(auth.record.photo, '');
  });

  it("drops a picture over the field's size limit", async () => {
    const { auth } = await signUp('bob');
    assert.equal(auth.meta?.isNew, true);
    assert.equal(auth.record.photo, '');
  });
});
