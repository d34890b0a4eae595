import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { schemaViewOf } from '../schema/schema-view.js';
import type { Store } from '../store/store.js';
import { forEachStore } from '../testing/test-stores.fixture.js';
import { blogDataset } from './filter-blog-dataset.fixture.js';
import { parseFilter } from './filter-cache.js';
import { compileFilter } from './filter-compiler.js';
import { createFilterPredicate } from './filter-evaluator.js';
import { FilterNeedsDatabaseError, needsDatabase } from './filter-needs-database.js';
import {
  blogSchema,
  collection,
  compileContextFor,
  datasetSource,
  evaluateContextFor,
  field,
  guestRequest,
  loadDataset,
  selectIds,
} from './filter-test.fixture.js';

const blog = blogSchema();
const empty = collection('members', [field('user', 'text'), field('post', 'text')]);
const schema = schemaViewOf([...blog.schema.all(), empty]);
const ann = guestRequest({ auth: { id: 'u1', collectionId: blog.users.id, collectionName: blog.users.name } });
const ALL = ['p1', 'p2', 'p3', 'p4', 'p5'];

/**
 * Rule → the posts it selects. Comments: c1 (p1, u2, 3 votes), c2 (p1, u3, -1), c3 (p2,
 * u1, 10), c4 (gone, u1, 0), c5 (p5, no author, 0, ""). `members` has no rows.
 */
const table: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['@collection.comments.post ?= id', ['p1', 'p2', 'p5']],
  // One shared comment row per alias: a comment on this post written by the requester.
  ['@collection.comments.post ?= id && @collection.comments.author ?= @request.auth.id', ['p2']],
  // Two aliases, two independent rows: a comment on this post, and any comment by the requester.
  ['@collection.comments.post ?= id && @collection.comments:mine.author ?= @request.auth.id', ['p1', 'p2', 'p5']],
  ['@collection.comments.post ?= id && @collection.comments.author.name ?= "bob"', ['p1']],
  ['@collection.c_comments.post ?= id && @collection.comments.author ?= "u3"', ['p1']],
  [
    '@collection.comments.post ?= id && (@collection.comments.votes ?> 5 || @collection.comments.message ?= "")',
    ['p2', 'p5'],
  ],
  ['@collection.comments.post ?!= id', ALL],
  ['@collection.comments.votes > -5', ALL],
  ['@collection.comments.votes > 0', []],
  ['@collection.comments.votes ?> 5 && views > 5', ['p1', 'p2', 'p5']],
  ['@collection.comments.author.name ?= "Émile"', ALL],
  ['@collection.comments.message:lower ?= "great"', ALL],
  ['@collection.bookmarks.posts ?= id', ['p1', 'p2']],
  ['@collection.bookmarks.posts ?= id && @collection.bookmarks.owner ?= "u2"', ['p1']],
  ['@collection.bookmarks.posts:each ?= id && @collection.bookmarks.owner.name ?= "Ann"', ['p1', 'p2']],
  ['@collection.users.tokenKey ?= "key-ann" && author = "u1"', ['p1']],
  ['@collection.users.email ?= "emile@example.com"', ALL],
  ['@collection.users:a.favorite ?= id', ['p1', 'p2']],
  ['@collection.users:a.favorite ?= id && @collection.users:a.name ?= "bob"', ['p1']],
  ['@collection.comments.post ?= id || published = true', ['p1', 'p2', 'p4', 'p5']],
  ['@collection.members.user ?= ""', []],
  ['@collection.members.user ?= @request.auth.id || id = "p3"', ['p3']],
  ['@collection.members.user = ""', ALL],
  ['@collection.members.user = "u1"', []],
];

describe('@collection', () => {
  it('parses nameOrId, alias, path and modifier', () => {
    const node = parseFilter('@collection.comments:mine.author.name:lower = "x"');
    assert.equal(node.type, 'comparison');
    assert.deepEqual(node.type === 'comparison' && node.left, {
      type: 'collection',
      collection: 'comments',
      alias: 'mine',
      path: ['author', 'name'],
      modifier: 'lower',
      raw: '@collection.comments:mine.author.name:lower',
      position: 1,
    });
  });

  it('needs the database: the evaluator throws FilterNeedsDatabaseError after the other checks', () => {
    const source = datasetSource(blog.schema, blogDataset);
    const context = evaluateContextFor(
      compileContextFor({ dialect: { name: 'sqlite' } } as Store, schema, blog.posts, { request: ann }),
      source,
    );
    assert.equal(needsDatabase(parseFilter('title = "" || (views > 1 && @collection.comments.post ?= id)')), true);
    assert.equal(needsDatabase(parseFilter('title = "" || @request.auth.favorite.title = title')), false);
    assert.throws(
      () => createFilterPredicate(parseFilter('title = "" || @collection.comments.post ?= id'), context),
      FilterNeedsDatabaseError,
    );
    assert.throws(() => createFilterPredicate(parseFilter('nope = 1 || @collection.comments.post ?= id'), context), {
      code: 'FILTER_INVALID',
    });
    assert.throws(
      () =>
        createFilterPredicate(parseFilter('@collection.comments.post ?= id'), {
          ...context,
          allowRequestMacros: false,
        }),
      { code: 'FILTER_FORBIDDEN_MACRO' },
    );
  });
});

forEachStore((name, open) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ store, cleanup } = await open());
    await loadDataset(store, schema, blogDataset);
  });
  after(async () => cleanup());

  for (const [filter, expected] of table) {
    it(`${JSON.stringify(filter)} selects ${JSON.stringify(expected)}`, async () => {
      const where = compileFilter(parseFilter(filter), compileContextFor(store, schema, blog.posts, { request: ann }));
      assert.deepEqual(await selectIds(store, blog.posts, where), [...expected]);
    });
  }

  it(`binds collection values and request values as parameters (${name})`, () => {
    const hostile = "x'); DROP TABLE posts; --";
    const context = compileContextFor(store, schema, blog.posts, { request: guestRequest({ query: { q: hostile } }) });
    const { text, params } = compileFilter(
      parseFilter('@collection.comments.message ?= @request.query.q'),
      context,
    ).render(store.dialect);
    assert.doesNotMatch(text, /DROP/);
    assert.ok(params.includes(hostile));
  });
});
