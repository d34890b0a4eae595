import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClientError, createClient, type TandemClient } from '@tandem/sdk';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';
import { fileCollections, pngImage } from '../testing/file-collections.fixture.js';

interface Doc {
  id: string;
  collectionId: string;
  collectionName: 'docs';
  title: string;
  cover: string;
  attachments: string[];
  secret: string;
}

describe('@tandem/sdk file uploads, URLs and tokens against tandem serve', () => {
  let fixture: ServeFixture;
  let guest: TandemClient;
  let admin: TandemClient;
  let png: Buffer;

  before(async () => {
    fixture = await startServeFixture('sqlite', { superuser: true, collections: fileCollections() });
    guest = createClient(fixture.server.url);
    admin = createClient(fixture.server.url);
    await admin.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
    png = await pngImage();
  });

  after(async () => {
    guest?.close();
    admin?.close();
    await fixture?.dispose();
  });

  it('creates a record from FormData and serves its files at getUrl, thumbs included', async () => {
    const form = new FormData();
    form.append('title', 'sdk');
    form.append('cover', new Blob([png]), 'cover.png');
    form.append('attachments', new Blob(['a note']), 'note.txt');
    const doc = await guest.collection<Doc>('docs').create(form);
    assert.match(doc.cover, /^cover_[a-z0-9]{10}\.png$/);
    const served = await fetch(guest.files.getUrl(doc, doc.cover));
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), png);
    const thumb = await fetch(guest.files.getUrl(doc, doc.cover, { thumb: '50x50' }));
    assert.equal(thumb.status, 200);
    assert.notEqual(Number(thumb.headers.get('content-length')), png.length, 'a thumb, not the original');
    const note = await fetch(guest.files.getUrl(doc, doc.attachments[0]!, { download: true }));
    assert.match(note.headers.get('content-disposition') ?? '', /^attachment/);
    assert.equal(guest.files.getUrl({ id: '' }, 'x.png'), '', 'no URL without a record');
  });

  it('removes one file with the field- modifier inside a JSON payload', async () => {
    const form = new FormData();
    form.append('attachments', new Blob(['one']), 'one.txt');
    form.append('attachments', new Blob(['two']), 'two.txt');
    const doc = await guest.collection<Doc>('docs').create(form);
    const patch = new FormData();
    patch.append('@jsonPayload', JSON.stringify({ 'attachments-': [doc.attachments[0]], title: 'trimmed' }));
    const updated = await guest.collection<Doc>('docs').update(doc.id, patch);
    assert.deepEqual(updated.attachments, [doc.attachments[1]]);
    assert.equal(updated.title, 'trimmed');
  });

  it('opens a protected file of a record guests cannot view only with a file token', async () => {
    const form = new FormData();
    form.append('secret', new Blob(['classified']), 'secret.txt');
    const doc = await admin.collection<Doc>('private_docs').create(form);
    // A URL carries no Authorization header: without a token the caller is a guest.
    assert.equal((await fetch(admin.files.getUrl(doc, doc.secret))).status, 404);
    await assert.rejects(
      guest.files.getToken(),
      (error: unknown) => error instanceof ClientError && error.status === 401,
    );
    const token = await admin.files.getToken();
    assert.ok(token.length > 20);
    const opened = await fetch(admin.files.getUrl(doc, doc.secret, { token }));
    assert.equal(await opened.text(), 'classified');
  });
});
