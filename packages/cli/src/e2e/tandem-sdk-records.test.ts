import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClientError, createClient, type TandemClient } from '@tandem/sdk';
import { testDialects } from '@tandem/core/testing';
import { blogRecords, ids } from '@tandem/server/testing';
import { startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';

interface Author {
  id: string;
  collectionId: string;
  collectionName: 'authors';
  name: string;
}
interface Post {
  id: string;
  collectionId: string;
  collectionName: 'posts';
  title: string;
  views: number;
  published: boolean;
  tags: Array<'a' | 'b' | 'c' | 'd'>;
  author: string;
  expand?: { author?: Author };
}
type Blog = { posts: Post; authors: Author };

for (const { name: dialect, skip } of testDialects) {
  describe(`@tandem/sdk records against tandem serve on ${dialect}`, { skip }, () => {
    let fixture: ServeFixture;
    let client: TandemClient<Blog>;

    before(async () => {
      fixture = await startServeFixture(dialect, { blog: true });
      client = createClient<Blog>(fixture.server.url);
      for (const [collection, record] of blogRecords()) {
        if (collection !== 'locked' && collection !== 'drafts') await client.collection(collection).create(record);
      }
    });

    after(async () => {
      client?.close();
      await fixture?.dispose();
    });

    it('lists with filter, sort, fields and skipTotal', async () => {
      const page = await client
        .collection('posts')
        .list(1, 2, { filter: 'published = true', sort: '-views', fields: 'id,views' });
      assert.equal(page.totalItems, 2);
      assert.deepEqual(page.items, [
        { id: ids.post1, views: 10 },
        { id: ids.post3, views: 0 },
      ]);
      const skipped = await client.collection('posts').list(1, 10, { skipTotal: true });
      assert.equal(skipped.totalItems, -1);
    });

    it('walks every page with getFullList and finds one with getFirst', async () => {
      const all = await client.collection('posts').getFullList({ batch: 2, sort: 'title' });
      assert.deepEqual(
        all.map((post) => post.id),
        [ids.post1, ids.post2, ids.post3],
      );
      const second = await client.collection('posts').getFirst('title = "Second post"');
      assert.equal(second.id, ids.post2);
    });

    it('gets a record with a typed expand', async () => {
      const post = await client.collection('posts').get(ids.post1, { expand: 'author' });
      const name: string | undefined = post.expand?.author?.name;
      assert.equal(name, 'Ada');
    });

    it('creates, updates with modifiers, replaces and deletes', async () => {
      const created = await client
        .collection('posts')
        .create({ title: 'From @tandem/sdk', tags: ['a'], author: ids.bob });
      const updated = await client.collection('posts').update(created.id, { 'tags+': 'd', 'views+': 2 });
      assert.deepEqual([updated.tags, updated.views], [['a', 'd'], 2]);
      const replaced = await client.collection('posts').replace(created.id, { title: 'Replaced' });
      assert.deepEqual([replaced.title, replaced.tags, replaced.views], ['Replaced', [], 0]);
      await client.collection('posts').delete(created.id);
      await assert.rejects(client.collection('posts').get(created.id), {
        name: 'ClientError',
        status: 404,
        code: 'RECORD_NOT_FOUND',
      });
    });

    it('rejects invalid data with a ClientError carrying the server code and field errors', async () => {
      await assert.rejects(client.collection('posts').create({ views: 'x' } as never), (error: unknown) => {
        assert.ok(error instanceof ClientError);
        assert.equal(error.status, 400);
        assert.equal(error.code, 'RECORD_CREATE_FAILED');
        assert.equal((error.data.title as { code: string }).code, 'validation_required');
        return true;
      });
      await assert.rejects(client.collection('posts').getFirst('title = "none"'), {
        status: 404,
        code: 'RECORD_NOT_FOUND',
      });
    });

    it('runs a batch in one transaction', async () => {
      const batch = client.batch();
      batch.collection('authors').create({ id: 'authorcarla0003', name: 'Carla' });
      batch.collection('posts').create({ title: 'By Carla', author: 'authorcarla0003' }, { expand: 'author' });
      const [author, post] = await batch.send<Post>();
      assert.equal(author!.status, 200);
      assert.equal(post!.body!.expand?.author?.name, 'Carla');
      const failing = client.batch();
      failing.collection('authors').create({ name: 'Dan' });
      failing.collection('posts').create({ views: 1 });
      await assert.rejects(failing.send(), { status: 400, code: 'BATCH_FAILED' });
      assert.equal(
        (await client.collection('authors').list(1, 1, { filter: 'name = "Dan"' })).totalItems,
        0,
        'rolled back',
      );
    });

    it('answers health', async () => {
      assert.equal((await client.health()).code, 200);
    });

    it('reports an unreachable server as NETWORK_ERROR', async () => {
      await assert.rejects(createClient('http://127.0.0.1:1').health(), { status: 0, code: 'NETWORK_ERROR' });
    });
  });
}
