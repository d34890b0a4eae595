import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/test-stores.fixture.js';
import type { Store } from '../store/store.js';
import { blogDataset } from './filter-blog-dataset.fixture.js';
import {
  compileContextFor,
  datasetSource,
  evaluateContextFor,
  guestRequest,
  loadDataset,
  selectIds,
  blogSchema,
} from './filter-test.fixture.js';
import { parseFilter } from './filter-cache.js';
import { compileFilter } from './filter-compiler.js';
import { createFilterPredicate } from './filter-evaluator.js';
import type { RequestInfo } from './filter-context.js';

const { schema, posts, users } = blogSchema();

const request: RequestInfo = guestRequest({
  auth: { id: 'u1', collectionId: users.id, collectionName: users.name, name: 'Ann', roles: ['admin', 'Editor'] },
  query: { n: '10', empty: '' },
  body: {
    tags: ['c', 'x'],
    title: 't',
    nested: { n: 5 },
    views: '10',
    category: 'news',
    editors: ['u2', 'u3'],
    author: null,
  },
  headers: { 'X-Token': 'abc' },
});

const ALL = ['p1', 'p2', 'p3', 'p4', 'p5'];

/** Filter → the posts it selects, on the fixed blog dataset (see filter-blog-dataset.ts). */
const table: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['title = "Hello World"', ['p1']],
  ['title != "Hello World"', ['p2', 'p3', 'p4', 'p5']],
  ['title = ""', ['p3']],
  ['title = null', ['p3']],
  ['title ~ "hello"', ['p1', 'p2']],
  ['title ~ "_"', ['p2']],
  ['title ~ "hello%"', ['p1', 'p2']],
  ['title ~ "%world"', ['p1']],
  ['title ~ "50\\%"', ['p2']],
  ['title !~ "o"', ['p3', 'p4']],
  ['title ~ "ÉMOJI"', []],
  ['title ~ "é_oji"', []],
  ['title ~ "%é_oji%"', ['p5']],
  ['title > "Zebra"', ['p2', 'p5']],
  ['title:lower = "hello world"', ['p1']],
  ['views > 5', ['p1', 'p2', 'p5']],
  ['views = "5.5"', ['p2']],
  ['views >= -1 && views < 1', ['p3', 'p4']],
  ['views = "abc"', []],
  ['views != "abc"', ALL],
  ['views = 1000000', ['p5']],
  ['published = true', ['p1', 'p4', 'p5']],
  ['published = 1', ['p1', 'p4', 'p5']],
  ['published = "true"', ['p1', 'p4', 'p5']],
  ['published = false', ['p2', 'p3']],
  ['published > false', ['p1', 'p4', 'p5']],
  ['published = "yes"', []],
  ['category = "news"', ['p1', 'p4']],
  ['category = ""', ['p2']],
  ['tags = "a"', ['p5']],
  ['tags ?= "a"', ['p1', 'p4', 'p5']],
  ['tags = ""', ['p2']],
  ['tags ?= ""', []],
  ['tags != "a"', ['p2', 'p3']],
  ['tags ?!= "a"', ['p1', 'p3', 'p4']],
  ['tags:length = 2', ['p1', 'p4']],
  ['tags:length = 0', ['p2']],
  ['tags:each ?= "c"', ['p4']],
  ['tags ~ "a"', ['p5']],
  ['author = "u1"', ['p1']],
  ['author.name = "Ann"', ['p1']],
  ['author.name = ""', ['p3', 'p4']],
  ['author.age > 18', ['p1']],
  ['author.age = null', ['p3', 'p4']],
  ['author.age != null', ['p1', 'p2', 'p5']],
  ['author.verified = true', ['p1']],
  ['author.profile.city = "Oslo"', ['p1']],
  ['author.profile.score = 7', ['p1']],
  ['author.profile.score = "7"', ['p2']],
  ['editors.name ?= "bob"', ['p1', 'p5']],
  ['editors.name = "Ann"', []],
  ['editors.age > 0', ['p5']],
  ['editors.age ?> 20', ['p3', 'p5']],
  ['editors:length > 1', ['p1', 'p3', 'p5']],
  ['editors ?= "missing1"', ['p3']],
  ['editors.id ?= ""', ['p3']],
  ['comments_via_post.message ?~ "great"', ['p1']],
  ['comments_via_post.votes > 0', ['p2']],
  ['comments_via_post.votes ?> 0', ['p1', 'p2']],
  ['comments_via_post:length = 0', ['p3', 'p4']],
  ['comments_via_post.author.name ?= "Ann"', ['p2']],
  ['bookmarks_via_posts.owner.name ?= "bob"', ['p1']],
  ['bookmarks_via_posts:length = 2', ['p1']],
  ['data.a.b = 1', ['p1']],
  ['data.a.b = "1"', ['p2']],
  ['data.a.b != 1', ['p2', 'p3', 'p4', 'p5']],
  ['data.a = null', ['p3', 'p4', 'p5']],
  ['data.a = ""', ['p3', 'p4', 'p5']],
  ['data.s = "x"', ['p1']],
  ['data.s:lower = "x"', ['p1', 'p4']],
  ['data.s ~ "x"', ['p1', 'p4']],
  ['data.list:length = 3', ['p1']],
  ['data.list:length = 0', ['p2', 'p3', 'p4', 'p5']],
  ['data:length = 3', ['p5']],
  ['data.1 = "two"', ['p5']],
  ['data.0 > 0', ['p5']],
  ['data.2.three = 3', ['p5']],
  ['data.t = true', ['p4']],
  ['data.t = 1', []],
  ['data = null', ['p3']],
  ['data.s = title', ['p3']],
  ['data.s > "W"', ['p1', 'p4']],
  ['created > "2024-01-01"', ['p1', 'p2', 'p5']],
  ['created < @now', ['p1', 'p2', 'p3', 'p4']],
  ['created >= @yearStart', ['p1', 'p2', 'p5']],
  ['created >= @todayStart', ['p5']],
  ['@year = 2024 && @month = 12', ALL],
  ['(views > 5 || published = true) && tags ?= "a"', ['p1', 'p4', 'p5']],
  ['views < 0 || published = true && views > 100', ['p3', 'p5']],
  ['(views < 0 || published = true) && views > 100', ['p5']],
  ['author = @request.auth.id', ['p1']],
  ['author.name = @request.auth.name', ['p1']],
  ['@request.auth.id != "" && published = true', ['p1', 'p4', 'p5']],
  ['@request.auth.roles ?= "admin"', ALL],
  ['@request.auth.roles:lower ?= "editor"', ALL],
  ['@request.auth.roles = "admin"', []],
  ['@request.auth.missing = null', ALL],
  ['views = @request.query.n', ['p1']],
  ['views > @request.body.nested.n', ['p1', 'p2', 'p5']],
  ['@request.body.tags ?= tags', ['p4']],
  ['@request.body.tags:length = 2', ALL],
  ['@request.headers.x_token = "abc"', ALL],
  ['@request.body.missing:isset = false && @request.body.title:isset = true', ALL],
  ['@request.method = "GET" && @request.context = "default"', ALL],
  ['@request.query.n:isset = true && @request.query.empty:isset = true', ALL],
  ['@request.query.nope:isset = true', []],
  ['@request.headers.x_token:isset = true && @request.headers.x_nope:isset = false', ALL],
  ['@request.body.author:isset = true', ALL],
  ['@request.body.title:changed = true', ALL],
  ['@request.body.views:changed = false', ['p1']],
  ['@request.body.views:changed = true', ['p2', 'p3', 'p4', 'p5']],
  ['@request.body.views:changed != @request.body.category:changed', ['p4']],
  ['@request.body.category:changed = true', ['p2', 'p3', 'p5']],
  ['@request.body.editors:changed = false', ['p1']],
  ['@request.body.author:changed = false', ['p3']],
  ['@request.body.published:changed = true', []],
  ['@request.body.published:changed = false', ALL],
  ['@request.body.tags:changed = published', ['p1', 'p4', 'p5']],
  ['@request.auth.tokenKey = "key-ann" && @request.auth.password = "$2a$hash-ann"', ALL],
  ['@request.auth.email = "ann@example.com"', ALL],
  ['@request.auth.profile.city = "Oslo"', ALL],
  ['@request.auth.favorite = "p2"', ALL],
  ['@request.auth.favorite.title = title', ['p2']],
  ['@request.auth.favorite.author = author', ['p2']],
  ['@request.auth.favorite.author.name = "bob"', ALL],
  ['@request.auth.favorite.comments_via_post.message ?= "Nice one"', ALL],
  ['@request.auth.favorite.tags ?= "a"', []],
  ['@request.auth.favorite.nope = null', ALL],
  ['@request.auth.nope.deeper = ""', ALL],
  ['author.tokenKey = "key-ann"', ['p1']],
  ['title ~ author.name', ['p3', 'p4']],
  ['views > author.age', ['p5']],
  ['1 = 1', ALL],
  ['1 = 2', []],
  ['"5" = 5', ALL],
  ['"a" ~ "A"', ALL],
  ['null = ""', ALL],
  ['secret = "s"', ['p5']],
  ['id = "p2" // a comment\n || id = "p3"', ['p2', 'p3']],
  // @request.body.<relation>.<field>: the records the submitted ids name (editors u2, u3; author null).
  ['@request.body.editors.name ?= "bob"', ALL],
  ['@request.body.editors.name ?= "Ann"', []],
  ['@request.body.editors.age < 20', ALL],
  ['@request.body.editors.age ?> 20', []],
  ['@request.body.editors.favorite ?= id', ['p1']],
  ['@request.body.editors.favorite = id', []],
  ['@request.body.author.name = ""', ALL],
  ['@request.body.author.id = null', ALL],
  ['@request.body.editors:length = 2', ALL],
  // geoDistance(lonA, latA, lonB, latB) in km along the equator: views° of longitude (1e6° is 80° away).
  ['geoDistance(0, 0, views, 0) < 700', ['p2', 'p3', 'p4']],
  ['geoDistance(0, 0, views, 0) > 1000', ['p1', 'p5']],
  ['geoDistance(0, 0, views, 0) > 8800 && geoDistance(0, 0, views, 0) < 9000', ['p5']],
  ['geoDistance(views, 0, views, 0) = 0', ALL],
  ['geoDistance(views, 89.99, views, 89.99) < 0.001', ALL],
  ['geoDistance(0, 0, data.a.b, 0) > 100', ['p1']],
  ['geoDistance(0, 0, 0, null) = null', ALL],
  ['geoDistance(0, 0, author.age, 0) > 0', ['p1', 'p2', 'p5']],
];

/** The same, for a guest: every `@request.auth.*` is null, so "" (and `id` is ""). */
const guestTable: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['@request.auth.id = ""', ALL],
  ['@request.auth.id = author', ['p3']],
  ['@request.auth.name = null && @request.auth.name = ""', ALL],
  ['@request.auth.favorite.title = ""', ALL],
  ['@request.auth.favorite.title = title', ['p3']],
  ['@request.auth.id != ""', []],
];

const errors: ReadonlyArray<readonly [string, number, RegExp]> = [
  ['nope = 1', 400, /unknown field "nope"/],
  ['title = views', 400, /cannot compare the text value "title" with the number value "views"/],
  ['views ~ 1', 400, /~ compares text/],
  ['title:length = 1', 400, /:length needs/],
  ['views:lower = 1', 400, /:lower needs/],
  ['title:each = 1', 400, /:each needs/],
  ['tags.x = 1', 400, /cannot read "x"/],
  ['author.nope = 1', 400, /unknown field "nope"/],
  ['nope_via_post = 1', 400, /unknown field/],
  ['@request.body.nope:changed = true', 400, /:changed needs a field of "posts"/],
  ['@collection.nope.title = 1', 400, /unknown collection "nope"/],
  ['@collection.posts.nope = 1', 400, /unknown field "nope"/],
  ['@collection.posts.tags:length = 1', 400, /:length is not supported on @collection/],
  ['@collection.users.age ~ "1"', 400, /~ compares text/],
  ['geoDistance(1, 2, 3) < 1', 400, /takes 4 arguments, not 3/],
  ['geoDistance(1, 2, 3, 4, 5) < 1', 400, /expected "," or "\)"/],
  ['geoDistance(0, 0, title, 0) < 1', 400, /geoDistance\(\) needs numbers: "title" is a text value/],
  ['geoDistance(0, 0, tags, 0) < 1', 400, /needs numbers/],
  ['geoDistance(0, 0, "x", 0) < 1', 400, /needs numbers/],
  ['geoDistance(0, 0, @collection.users.age, 0) < 1', 400, /cannot be an argument/],
  ['strftime("%Y", created) = "2024"', 400, /functions such as "strftime\(\)" are not supported/],
];

const run = createRunner();

const tables = [
  { who: 'a user', request, rows: table },
  { who: 'a guest', request: guestRequest(), rows: guestTable },
] as const;

describe('evaluateFilter on the blog dataset', () => {
  const source = datasetSource(schema, blogDataset);
  for (const [who, filter, expected, asked] of tables.flatMap((t) =>
    t.rows.map(([f, e]) => [t.who, f, e, t.request] as const),
  )) {
    it(`${JSON.stringify(filter)} selects ${JSON.stringify(expected)} for ${who}`, () => {
      const context = evaluateContextFor({ ...run.context, collection: posts, request: asked }, source);
      const matches = createFilterPredicate(parseFilter(filter), context);
      const ids = (blogDataset.posts ?? [])
        .filter((row) => matches(datasetRow(source, row.id as string)))
        .map((row) => row.id);
      assert.deepEqual(ids, [...expected]);
    });
  }
});

forEachStore((name, open) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ store, cleanup } = await open());
    await loadDataset(store, schema, blogDataset);
  });
  after(async () => cleanup());

  for (const [who, filter, expected, asked] of tables.flatMap((t) =>
    t.rows.map(([f, e]) => [t.who, f, e, t.request] as const),
  )) {
    it(`${JSON.stringify(filter)} selects ${JSON.stringify(expected)} for ${who}`, async () => {
      const where = compileFilter(parseFilter(filter), compileContextFor(store, schema, posts, { request: asked }));
      assert.deepEqual(await selectIds(store, posts, where), [...expected]);
    });
  }

  for (const [filter, status, message] of errors) {
    it(`rejects ${JSON.stringify(filter)} with ${status}`, () => {
      assert.throws(
        () => compileFilter(parseFilter(filter), compileContextFor(store, schema, posts)),
        (error: { status: number; message: string }) => {
          assert.equal(error.status, status);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  it(`binds literals, JSON keys and request values as parameters, never as SQL text (${name})`, async () => {
    const hostile = "x'); DROP TABLE posts; --";
    const context = compileContextFor(store, schema, posts, { request: guestRequest({ query: { q: hostile } }) });
    const where = compileFilter(
      parseFilter(`title = "${hostile}" || data.DROP_TABLE ~ @request.query.q || title ~ 'evil%'`),
      context,
    );
    const { text, params } = where.render(store.dialect);
    assert.doesNotMatch(text, /DROP|evil/);
    assert.ok(params.includes(hostile));
    assert.deepEqual(await selectIds(store, posts, where), []);
  });

  it(`rejects hidden fields at any hop for callers without hidden access (${name})`, () => {
    for (const filter of [
      'secret = "s"',
      'author.password = ""',
      'author.tokenKey = ""',
      'comments_via_post.author.password ?= ""',
      'posts_via_parent.secret ?= ""',
    ]) {
      const context = compileContextFor(store, schema, posts, { allowHidden: false });
      assert.throws(() => compileFilter(parseFilter(filter), context), { code: 'FILTER_INVALID' });
    }
  });

  it(`answers 403 for @request and @collection without macro rights, before other errors (${name})`, () => {
    for (const filter of [
      '@request.auth.id = ""',
      'nope = 1 && @request.method = "GET"',
      '@collection.posts.title = 1',
    ]) {
      const context = compileContextFor(store, schema, posts, { allowRequestMacros: false });
      assert.throws(() => compileFilter(parseFilter(filter), context), { code: 'FILTER_FORBIDDEN_MACRO', status: 403 });
    }
  });
});

function createRunner() {
  return {
    context: {
      schema,
      collection: posts,
      request,
      now: new Date('2024-12-31T12:00:00.000Z'),
      allowHidden: true,
      allowRequestMacros: true,
    },
  };
}

function datasetRow(source: ReturnType<typeof datasetSource>, id: string) {
  return source.getRecord(posts.id, id)!;
}
