import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '@tandem/core';
import { testDialects } from '@tandem/core/testing';
import { blogCollections } from '@tandem/server/testing';
import { createGraphqlTestApp, gql, type GraphqlTestApp } from '../testing/graphql-app.fixture.js';

/** Counts the statements the store runs while `work` runs. */
async function countStatements(store: Store, work: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const methods = ['all', 'first', 'run'] as const;
  const originals = methods.map((m) => store[m]);
  methods.forEach((m, i) => {
    const original = originals[i] as (...args: unknown[]) => unknown;
    (store as unknown as Record<string, unknown>)[m] = (query: Parameters<Store['all']>[0], ...rest: unknown[]) => {
      seen.push(query.render(store.dialect).text);
      return original.call(store, query, ...rest);
    };
  });
  try {
    await work();
  } finally {
    methods.forEach((m, i) => {
      (store as unknown as Record<string, unknown>)[m] = originals[i];
    });
  }
  return seen;
}

for (const { name: dialect, skip } of testDialects) {
  describe(`GraphQL relation batching on ${dialect}`, { skip }, () => {
    let t: GraphqlTestApp;
    before(async () => {
      t = await createGraphqlTestApp(dialect);
      await t.collections.import(blogCollections());
      const authors = [await t.seed('authors', { name: 'A' }), await t.seed('authors', { name: 'B' })];
      for (let i = 0; i < 100; i += 1) {
        const author = authors[i % 2]!.id;
        const post = await t.seed('posts', { title: `Post ${i}`, author, editors: [authors[0]!.id] });
        for (const body of ['first', 'second']) await t.seed('comments', { post: post.id, body, by: author });
      }
    });
    after(async () => t.cleanup());

    it('reads 100 posts with author, editors and comments (with their author) in one statement per level', async () => {
      let answer: Awaited<ReturnType<typeof gql>> | undefined;
      // The change feed's poll of the log would count as a statement.
      await t.feed.settle();
      t.feed.stop();
      const statements = await countStatements(t.store, async () => {
        answer = await gql(
          t,
          `{ posts(perPage: 100) { items {
               title author { name } editors { name } comments_via_post { body by { name } } } } }`,
        );
      }).finally(() => t.feed.start({ pollMs: 200 }));
      assert.equal(answer!.body.errors, undefined, answer!.raw.slice(0, 500));
      const items = answer!.body.data.posts.items;
      assert.equal(items.length, 100);
      assert.ok(items.every((p: any) => p.author && p.comments_via_post.length === 2 && p.comments_via_post[0].by));
      // posts; authors (author and editors: one loader per target); comments; their authors.
      assert.ok(statements.length >= 3, 'the counter sees the statements');
      assert.ok(statements.length <= 4, `${statements.length} statements:\n${statements.join('\n')}`);
    });
  });
}
