import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { resetBlog } from '../testing/blog-reset.fixture.js';
import { ids } from '../testing/blog-fixture.fixture.js';

for (const { name: dialect, skip } of testDialects) {
  describe(`the pocketbase SDK's createBatch on ${dialect}`, { skip }, () => {
    let t: TestApp;
    let pb: PocketBase;
    before(async () => {
      t = await createTestApp(dialect);
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      pb = new PocketBase(`http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`);
      pb.autoCancellation(false);
    });
    after(async () => t.cleanup());
    beforeEach(async () => resetBlog(t));

    it('sends its multipart @jsonPayload form and gets one result per item', async () => {
      const batch = pb.createBatch();
      batch.collection('posts').create({ title: 'From the SDK' });
      batch.collection('posts').update(ids.post1, { 'views+': 2 });
      batch.collection('posts').upsert({ id: 'sdkupsert000001', title: 'Upserted' });
      batch.collection('drafts').delete(ids.draft1);
      const results = await batch.send();
      assert.deepEqual(
        results.map((r) => r.status),
        [200, 200, 200, 204],
      );
      assert.equal(results[1]!.body.views, 12);
      assert.equal(results[3]!.body, null);
      assert.equal((await pb.collection('posts').getList(1, 1)).totalItems, 5);
    });

    it('throws a ClientResponseError naming the failed item, and nothing is written', async () => {
      const batch = pb.createBatch();
      batch.collection('posts').create({ title: 'Fine title' });
      batch.collection('locked').create({ note: 'guests may not' });
      await assert.rejects(batch.send(), (error: unknown) => {
        assert.ok(error instanceof ClientResponseError);
        assert.equal(error.status, 400);
        assert.equal(error.response.data.requests['1'].response.status, 403);
        return true;
      });
      assert.equal((await pb.collection('posts').getList(1, 1)).totalItems, 3);
    });

    it('ignores a file under a key that no file field has, like any unknown key', async () => {
      // Files in batches are stored (docs/files.md); `posts` has no `cover` field.
      const batch = pb.createBatch();
      batch.collection('posts').create({ title: 'With a file', cover: new Blob(['x']) });
      const [result] = await batch.send();
      assert.ok(result);
      assert.equal(result.status, 200);
      assert.equal((result.body as Record<string, unknown>).cover, undefined);
    });
  });
}
