import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { internalRequest, superuser } from '@tandem/core';
import { testDialects } from '@tandem/core/testing';
import { bearer, ids, resetBlog } from '@tandem/server/testing';
import {
  createGraphqlTestApp,
  errorCodes,
  gql,
  gqlGet,
  superuserToken,
  type GraphqlTestApp,
} from '../testing/graphql-app.fixture.js';

for (const { name: dialect, skip } of testDialects) {
  describe(`GraphQL over the blog on ${dialect}`, { skip }, () => {
    let t: GraphqlTestApp;
    let root: Record<string, string>;
    before(async () => {
      t = await createGraphqlTestApp(dialect);
      await resetBlog(t);
      root = bearer(await superuserToken(t));
    });
    after(async () => t.cleanup());

    it('lists records with their relations and back-relations', async () => {
      const answer = await gql(
        t,
        `{ posts(sort: "title", perPage: 2) { page perPage totalItems totalPages
             items { id title author { name } editors { id } comments_via_post { body } } } }`,
      );
      assert.equal(answer.status, 200, answer.raw);
      const page = answer.body.data.posts;
      assert.equal(page.perPage, 2);
      assert.ok(page.totalItems >= 2);
      const rest = await t.app.inject({ url: '/api/collections/posts/records?sort=title&perPage=2' });
      assert.deepEqual(
        page.items.map((p: { id: string }) => p.id),
        rest.json().items.map((p: { id: string }) => p.id),
      );
      assert.ok(page.items.some((p: { author: unknown }) => p.author !== null));
    });

    it('answers null for a missing record and no error', async () => {
      const answer = await gql(t, '{ posts_by_id(id: "missing00000000") { id } }');
      assert.deepEqual(answer.body, { data: { posts_by_id: null } });
    });

    it('reads one record by id', async () => {
      const answer = await gql(t, `{ posts_by_id(id: "${ids.post1}") { id author { id } } }`);
      assert.equal(answer.body.data.posts_by_id.id, ids.post1);
    });

    it('creates, updates and deletes through the record actions', async () => {
      const created = await gql(t, 'mutation($d: PostsCreateInput!) { create_posts(data: $d) { id title views } }', {
        d: { title: 'From GraphQL', views: 3 },
      });
      assert.equal(created.status, 200, created.raw);
      const id = created.body.data.create_posts.id;
      const updated = await gql(t, `mutation { update_posts(id: "${id}", data: { views: 4 }) { views title } }`);
      assert.deepEqual(updated.body.data.update_posts, { views: 4, title: 'From GraphQL' });
      const deleted = await gql(t, `mutation { delete_posts(id: "${id}") }`);
      assert.deepEqual(deleted.body.data, { delete_posts: true });
    });

    it('reports validation failures with the catalog code, status and field errors', async () => {
      const answer = await gql(t, 'mutation { create_posts(data: { title: "x" }) { id } }');
      assert.deepEqual(errorCodes(answer), ['RECORD_CREATE_FAILED']);
      assert.equal(answer.body.errors![0].extensions.status, 400);
      assert.ok(answer.body.errors![0].extensions.data.title);
    });

    it('refuses a locked collection as REST does', async () => {
      const answer = await gql(t, '{ locked { items { id } } }');
      assert.deepEqual(errorCodes(answer), ['SUPERUSER_ONLY']);
      const superuser = await gql(t, '{ locked { totalItems } }', undefined, root);
      assert.equal(superuser.body.errors, undefined);
    });

    it('follows schema changes without a restart', async () => {
      await t.collections.import([
        { name: 'gadgets', type: 'base', listRule: '', fields: [{ name: 'label', type: 'text' }] },
      ]);
      const answer = await gql(t, '{ gadgets { items { label } } }');
      assert.deepEqual(answer.body, { data: { gadgets: { items: [] } } });
      assert.match(t.graphql.sdl(), /type Gadgets \{/);
    });

    it('answers GET queries with an ETag and 304', async () => {
      const first = await gqlGet(t, '{ authors(sort: "name") { items { name } } }');
      assert.equal(first.status, 200, first.raw);
      const etag = String(first.headers.etag);
      assert.ok(etag);
      const again = await gqlGet(t, '{ authors(sort: "name") { items { name } } }', undefined, {
        'if-none-match': etag,
      });
      assert.equal(again.status, 304);
    });
  });
}

describe('GraphQL GET answers from the response cache', () => {
  let t: GraphqlTestApp;
  before(async () => {
    t = await createGraphqlTestApp('sqlite');
    await resetBlog(t);
  });
  after(async () => t.cleanup());

  it('serves a repeated query from the cache until a collection it reads changes', async () => {
    const query = '{ posts(sort: "title") { items { title author { name } } } }';
    const first = await gqlGet(t, query);
    const second = await gqlGet(t, query);
    assert.match(String(second.headers['server-timing']), /cache;desc=hit/);
    assert.equal(second.raw, first.raw);
    await t.records.update('authors', ids.ada, { name: 'Ada L.' }, {}, internalRequest(superuser()));
    const third = await gqlGet(t, query);
    assert.match(String(third.headers['server-timing']), /cache;desc=miss/);
    assert.match(third.raw, /Ada L\./);
  });

  it('never caches an answer with errors', async () => {
    await gqlGet(t, '{ locked { totalItems } }');
    const again = await gqlGet(t, '{ locked { totalItems } }');
    assert.doesNotMatch(String(again.headers['server-timing']), /cache;desc=hit/);
  });
});
