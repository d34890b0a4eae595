import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import PocketBase, { type ClientResponseError } from 'pocketbase';
import { testDialects } from '@tandem/core/testing';
import { blogRecords, ids } from '@tandem/server/testing';
import type { ServeProcess } from '../testing/spawn-tandem.fixture.js';
import { startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';

for (const { name: dialect, skip } of testDialects) {
  describe(`the pocketbase SDK against tandem serve on ${dialect}`, { skip }, () => {
    let server: ServeProcess;
    let pb: PocketBase;
    let fixture: ServeFixture | undefined;

    before(async () => {
      fixture = await startServeFixture(dialect, { blog: true });
      server = fixture.server;
      pb = new PocketBase(server.url);
      pb.autoCancellation(false);
      for (const [collection, record] of blogRecords()) {
        if (collection !== 'locked' && collection !== 'drafts') await pb.collection(collection).create(record);
      }
    });

    after(async () => {
      const code = await fixture?.dispose();
      assert.equal(code, 0, 'tandem serve exits 0 after SIGTERM');
    });

    it('getList pages with filter, sort, fields and totals', async () => {
      const page = await pb
        .collection('posts')
        .getList(1, 2, { filter: 'published = true', sort: '-views', fields: 'id,views' });
      assert.equal(page.totalItems, 2);
      assert.equal(page.perPage, 2);
      assert.deepEqual(page.items, [
        { id: ids.post1, views: 10 },
        { id: ids.post3, views: 0 },
      ]);
    });

    it('getList with skipTotal reports -1 totals', async () => {
      const page = await pb.collection('posts').getList(1, 10, { skipTotal: true });
      assert.equal(page.totalItems, -1);
      assert.equal(page.items.length, 3);
    });

    it('getFullList walks every page using the echoed perPage', async () => {
      const all = await pb.collection('posts').getFullList({ batch: 2, sort: 'title' });
      assert.deepEqual(
        all.map((r) => r.id),
        [ids.post1, ids.post2, ids.post3],
      );
    });

    it('getFirstListItem finds one record, or throws 404', async () => {
      const first = await pb.collection('posts').getFirstListItem(pb.filter('title = {:t}', { t: 'Second post' }));
      assert.equal(first.id, ids.post2);
      await assert.rejects(
        pb.collection('posts').getFirstListItem('title = "none"'),
        (e: ClientResponseError) => e.status === 404,
      );
    });

    it('getOne expands relations and back-relations', async () => {
      const post = await pb.collection('posts').getOne(ids.post1, { expand: 'author,comments_via_post.by' });
      assert.equal(post.expand?.author.name, 'Ada');
      assert.equal(post.expand?.comments_via_post.length, 2);
      assert.ok(post.expand?.comments_via_post.every((c: any) => typeof c.expand.by.name === 'string'));
    });

    it('create, update and delete round-trip', async () => {
      const created = await pb
        .collection('posts')
        .create({ title: 'From the SDK', tags: ['a'], author: ids.bob }, { expand: 'author' });
      assert.equal(created.expand?.author.name, 'Bob');
      const updated = await pb.collection('posts').update(created.id, { 'tags+': 'd', 'views+': 2 });
      assert.deepEqual(updated.tags, ['a', 'd']);
      assert.equal(updated.views, 2);
      await pb.collection('posts').delete(created.id);
      await assert.rejects(pb.collection('posts').getOne(created.id), (e: ClientResponseError) => e.status === 404);
    });

    it('validation errors reach the SDK with field codes', async () => {
      await assert.rejects(pb.collection('posts').create({ views: 'x' }), (e: ClientResponseError) => {
        assert.equal(e.status, 400);
        assert.equal(e.response.data.title.code, 'validation_required');
        assert.equal(e.response.data.views.code, 'validation_invalid_number');
        return true;
      });
    });

    it('a guest filter with @request is refused with 403', async () => {
      await assert.rejects(
        pb.collection('posts').getList(1, 5, { filter: '@request.auth.id != ""' }),
        (e: ClientResponseError) => e.status === 403,
      );
    });
  });
}
