import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import PocketBase, { type ClientResponseError, type RecordModel } from 'pocketbase';
import sharp from 'sharp';
import { startTestS3Server, testDialects, type TestS3Server } from '@tandem/core/testing';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';
import { fileCollections, pngImage } from '../testing/file-collections.fixture.js';

const storages = ['local', 's3'] as const;

for (const { name: dialect, skip } of testDialects) {
  for (const storage of storages) {
    describe(`the pocketbase SDK's file calls on ${dialect} with ${storage} storage`, { skip }, () => {
      let fixture: ServeFixture | undefined;
      let s3: TestS3Server | undefined;
      let pb: PocketBase;
      let admin: PocketBase;
      let png: Buffer;

      before(async () => {
        fixture = await startServeFixture(dialect, { superuser: true, collections: fileCollections() });
        pb = new PocketBase(fixture.server.url);
        admin = new PocketBase(fixture.server.url);
        pb.autoCancellation(false);
        admin.autoCancellation(false);
        await admin.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
        if (storage === 's3') {
          s3 = await startTestS3Server();
          const { endpoint, bucket, region, accessKey, secret } = s3;
          await admin.settings.update({
            s3: { enabled: true, endpoint, bucket, region, accessKey, secret, forcePathStyle: true },
          });
        }
        png = await pngImage();
      });

      after(async () => {
        const code = await fixture?.dispose();
        await s3?.close();
        assert.equal(code, 0, 'tandem serve exits 0 after SIGTERM');
      });

      const fetchFile = (url: string, init?: RequestInit) => fetch(url, init);

      it('creates a record from FormData with files and serves them back', async () => {
        const form = new FormData();
        form.append('title', 'With files');
        form.append('cover', new Blob([png]), 'My Cover.PNG');
        form.append('attachments', new Blob(['first note']), 'a.txt');
        form.append('attachments', new Blob(['second note']), 'b.txt');
        const record = await pb.collection('docs').create(form);
        assert.match(record.cover, /^my_cover_[a-z0-9]{10}\.png$/);
        assert.equal(record.attachments.length, 2);
        const served = await fetchFile(pb.files.getURL(record, record.cover));
        assert.equal(served.status, 200);
        assert.equal(served.headers.get('content-type'), 'image/png');
        assert.deepEqual(Buffer.from(await served.arrayBuffer()), png);
        const note = await fetchFile(pb.files.getURL(record, record.attachments[1]));
        assert.equal(await note.text(), 'second note');
      });

      it('makes thumbnails once, in the sizes the field allows, and serves the original otherwise', async () => {
        const record = await pb.collection('docs').create({ cover: new File([png], 'pic.png') });
        for (const [thumb, width, height] of [
          ['50x50', 50, 50],
          ['100x100', 100, 100],
          ['40x0', 40, 24],
          ['33x33', 200, 120],
        ] as const) {
          const answer = await fetchFile(pb.files.getURL(record, record.cover, { thumb }));
          assert.equal(answer.status, 200, thumb);
          const meta = await sharp(Buffer.from(await answer.arrayBuffer())).metadata();
          assert.deepEqual([meta.width, meta.height], [width, height], thumb);
        }
        const again = await fetchFile(pb.files.getURL(record, record.cover, { thumb: '50x50' }));
        assert.equal(again.status, 200);
      });

      it('adds and removes files with field+ and field-, and deletes replaced files', async () => {
        const created = await pb.collection('docs').create({ attachments: [new File(['one'], 'one.txt')] });
        const added = await pb.collection('docs').update(created.id, { 'attachments+': new File(['two'], 'two.txt') });
        assert.equal(added.attachments.length, 2);
        const removed = await pb.collection('docs').update(created.id, { 'attachments-': [created.attachments[0]] });
        assert.deepEqual(removed.attachments, [added.attachments[1]]);
        assert.equal((await fetchFile(pb.files.getURL(created, created.attachments[0]))).status, 404);
        await pb.collection('docs').delete(created.id);
        assert.equal((await fetchFile(pb.files.getURL(removed, removed.attachments[0]))).status, 404);
      });

      it('checks mime types by content and sizes against maxSize', async () => {
        const fake = new FormData();
        fake.append(
          'attachments',
          new Blob([Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3])], { type: 'image/png' }),
          'x.png',
        );
        const refused = (await pb
          .collection('docs')
          .create(fake)
          .catch((e) => e)) as ClientResponseError;
        assert.equal(refused.status, 400);
        assert.equal(refused.response.data.attachments.code, 'validation_invalid_mime_type');
        const big = new FormData();
        big.append('attachments', new Blob([Buffer.alloc(65 * 1024, 'a')]), 'big.txt');
        const tooBig = (await pb
          .collection('docs')
          .create(big)
          .catch((e) => e)) as ClientResponseError;
        assert.equal(tooBig.status, 413);
        assert.equal(tooBig.response.code, 'UPLOAD_FILE_TOO_LARGE');
      });

      it('serves protected files only with a file token of a caller who passes the view rule', async () => {
        const record = await admin.collection('private_docs').create({
          secret: new File(['classified'], 'plan.txt'),
          open: new File(['members only'], 'memo.txt'),
        });
        assert.equal((await fetchFile(pb.files.getURL(record, record.secret))).status, 404);
        const header = { headers: { authorization: admin.authStore.token } };
        assert.equal((await fetchFile(pb.files.getURL(record, record.secret), header)).status, 404);
        const token = await admin.files.getToken();
        const withToken = await fetchFile(pb.files.getURL(record, record.secret, { token }));
        assert.equal(withToken.status, 200);
        assert.equal(await withToken.text(), 'classified');
        assert.equal((await fetchFile(pb.files.getURL(record, record.secret, { token: 'x.y.z' }))).status, 404);
        await assert.rejects(pb.files.getToken(), (e: ClientResponseError) => e.status === 401);
      });

      it("applies the record's view rule to unprotected files with the caller's own credentials", async () => {
        const record = await admin.collection('private_docs').create({ open: new File(['members only'], 'memo.txt') });
        assert.equal((await fetchFile(pb.files.getURL(record, record.open))).status, 404);
        const header = { headers: { authorization: admin.authStore.token } };
        assert.equal(await (await fetchFile(pb.files.getURL(record, record.open), header)).text(), 'members only');
      });

      it('answers ranges, ETags and downloads', async () => {
        const record: RecordModel = await pb
          .collection('docs')
          .create({ attachments: [new File(['0123456789'], 'digits.txt')] });
        const url = pb.files.getURL(record, record.attachments[0]);
        const part = await fetchFile(url, { headers: { range: 'bytes=2-4' } });
        assert.equal(part.status, 206);
        assert.equal(await part.text(), '234');
        const whole = await fetchFile(url);
        const etag = whole.headers.get('etag')!;
        assert.equal((await fetchFile(url, { headers: { 'if-none-match': etag } })).status, 304);
        const bad = await fetchFile(url, { headers: { range: 'bytes=50-60' } });
        assert.equal(bad.status, 416);
        const download = await fetchFile(pb.files.getURL(record, record.attachments[0], { download: true }));
        assert.match(download.headers.get('content-disposition') ?? '', /^attachment/);
      });

      it('serves SVG as an attachment with nosniff', async () => {
        const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
        const record = await pb.collection('docs').create({ cover: new File([svg], 'x.png', { type: 'image/png' }) });
        const answer = await fetchFile(pb.files.getURL(record, record.cover));
        assert.equal(answer.headers.get('content-type'), 'image/svg+xml');
        assert.match(answer.headers.get('content-disposition') ?? '', /^attachment/);
        assert.equal(answer.headers.get('x-content-type-options'), 'nosniff');
      });

      it('carries files in a batch', async () => {
        const batch = pb.createBatch();
        batch.collection('docs').create({ title: 'batched', attachments: [new File(['in a batch'], 'batch.txt')] });
        const [result] = await batch.send();
        const record = result!.body as RecordModel;
        assert.equal(record.attachments.length, 1);
        assert.equal(await (await fetchFile(pb.files.getURL(record, record.attachments[0]))).text(), 'in a batch');
      });
    });
  }
}
