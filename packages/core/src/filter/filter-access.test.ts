import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../store/store.js';
import { forEachStore } from '../testing/test-stores.fixture.js';
import { blogDataset } from './filter-blog-dataset.fixture.js';
import { parseFilter } from './filter-cache.js';
import { compileFilter } from './filter-compiler.js';
import type { FilterContext, RequestInfo } from './filter-context.js';
import { createFilterPredicate } from './filter-evaluator.js';
import {
  blogSchema,
  compileContextFor,
  datasetSource,
  evaluateContextFor,
  guestRequest,
  loadDataset,
  selectIds,
  type BlogSchema,
} from './filter-test.fixture.js';

const blog = blogSchema();
const ann = guestRequest({ auth: { id: 'u1', collectionId: blog.users.id, collectionName: blog.users.name } });
const guest = guestRequest();

type Row = readonly [request: RequestInfo, filter: string, collection: 'posts' | 'users', expected: readonly string[]];

/**
 * Client filters (no hidden fields, no macros) on the blog dataset. Emails: u1 hidden
 * (Ann, the requester), u2 visible, u3 hidden, u4 empty.
 */
const clientTable: readonly Row[] = [
  [ann, 'author.email = "ann@example.com"', 'posts', ['p1']],
  [ann, 'author.email = "bob@example.com"', 'posts', ['p2']],
  [ann, 'author.email = "emile@example.com"', 'posts', []],
  [ann, 'author.email = ""', 'posts', ['p3', 'p4', 'p5']],
  [ann, 'author.email != ""', 'posts', ['p1', 'p2']],
  [ann, 'author.email ~ "emile"', 'posts', []],
  [ann, 'editors.email ?= "emile@example.com"', 'posts', []],
  [ann, 'editors.email ?~ "example"', 'posts', ['p1', 'p3', 'p5']],
  [ann, 'editors.email:lower ?> "a"', 'posts', ['p1', 'p3', 'p5']],
  [ann, 'comments_via_post.author.email ?~ "ann@"', 'posts', ['p2']],
  [ann, 'author.emailVisibility = true', 'posts', ['p2']],
  [guest, 'author.email ~ "example"', 'posts', ['p2']],
  [guest, 'author.email = "ann@example.com"', 'posts', []],
  [ann, 'email ~ "@example.com"', 'users', ['u1', 'u2']],
  [ann, 'email = ""', 'users', ['u3', 'u4']],
  [ann, 'email > "b"', 'users', ['u2']],
  [guest, 'email ~ "@"', 'users', ['u2']],
  [guest, 'email = "emile@example.com" || email = "ann@example.com"', 'users', []],
  [ann, 'favorite.author.email = "bob@example.com"', 'users', ['u1']],
];

function clientContext(
  store: Store,
  schema: BlogSchema,
  collection: 'posts' | 'users',
  request: RequestInfo,
): FilterContext {
  return compileContextFor(store, schema.schema, schema[collection], {
    request,
    allowHidden: false,
    allowRequestMacros: false,
  });
}

function whoOf(request: RequestInfo): string {
  return request.auth ? `user ${request.auth.id}` : 'a guest';
}

describe('client filters in memory', () => {
  const source = datasetSource(blog.schema, blogDataset);
  for (const [request, filter, collection, expected] of clientTable) {
    it(`${JSON.stringify(filter)} on ${collection} selects ${JSON.stringify(expected)} for ${whoOf(request)}`, () => {
      const context = evaluateContextFor(
        {
          ...compileContextFor({ dialect: { name: 'sqlite' } } as Store, blog.schema, blog[collection]),
          request,
          allowHidden: false,
          allowRequestMacros: false,
        },
        source,
      );
      const matches = createFilterPredicate(parseFilter(filter), context);
      const ids = (blogDataset[collection] ?? [])
        .map((row) => row.id as string)
        .filter((id) => matches(source.getRecord(blog[collection].id, id)!));
      assert.deepEqual(ids, [...expected]);
    });
  }
});

forEachStore((name, open) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ store, cleanup } = await open());
    await loadDataset(store, blog.schema, blogDataset);
  });
  after(async () => cleanup());

  for (const [request, filter, collection, expected] of clientTable) {
    it(`${JSON.stringify(filter)} on ${collection} selects ${JSON.stringify(expected)} for ${whoOf(request)}`, async () => {
      const where = compileFilter(parseFilter(filter), clientContext(store, blog, collection, request));
      assert.deepEqual(await selectIds(store, blog[collection], where), [...expected]);
    });
  }

  it(`lets rules and superusers see every email (${name})`, async () => {
    const where = compileFilter(
      parseFilter('author.email ~ "example"'),
      compileContextFor(store, blog.schema, blog.posts, { request: guest }),
    );
    assert.deepEqual(await selectIds(store, blog.posts, where), ['p1', 'p2', 'p5']);
  });

  it(`answers a client path into a collection whose list rule is null like an unknown field (${name})`, () => {
    const locked = blogSchema({ users: { listRule: null }, comments: { listRule: null } });
    const cases: ReadonlyArray<readonly [string, string]> = [
      ['author.name = "Ann"', 'unknown field "name" in "author.name"'],
      ['editors.id ?= "u1"', 'unknown field "id" in "editors.id"'],
      ['comments_via_post.message ?= "Great"', 'unknown field "comments_via_post" in "comments_via_post.message"'],
      ['parent.author.name = ""', 'unknown field "name" in "parent.author.name"'],
    ];
    for (const [filter, what] of cases) {
      assert.throws(() => compileFilter(parseFilter(filter), clientContext(store, locked, 'posts', ann)), {
        code: 'FILTER_INVALID',
        status: 400,
        message: `Invalid filter: ${what} at position 1.`,
      });
      assert.ok(compileFilter(parseFilter(filter), compileContextFor(store, locked.schema, locked.posts)));
    }
    assert.ok(
      compileFilter(
        parseFilter('author = "u1" && editors ?= "u2" && parent.title = ""'),
        clientContext(store, locked, 'posts', ann),
      ),
    );
  });
});
