import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { ident, sql } from '../sql/sql.js';
import type { Store } from '../store/store.js';
import { forEachStore } from '../testing/test-stores.fixture.js';
import { blogDataset } from './filter-blog-dataset.fixture.js';
import type { SortContext } from './filter-context.js';
import { compileSort } from './filter-sort.js';
import { blogSchema, compileContextFor, loadDataset } from './filter-test.fixture.js';

const { schema, posts } = blogSchema();

/** Sort → the order of the posts, on the fixed blog dataset. */
const orders: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['views', ['p3', 'p4', 'p2', 'p1', 'p5']],
  ['-views', ['p5', 'p1', 'p2', 'p4', 'p3']],
  ['title', ['p3', 'p1', 'p4', 'p2', 'p5']],
  ['-published,id', ['p1', 'p4', 'p5', 'p2', 'p3']],
  ['author.name,id', ['p3', 'p4', 'p1', 'p2', 'p5']],
  ['-author.age,id', ['p1', 'p2', 'p5', 'p3', 'p4']],
  [' +category , -id ', ['p2', 'p4', 'p1', 'p5', 'p3']],
  ['created', ['p3', 'p4', 'p1', 'p2', 'p5']],
  ['@rowid', ['p1', 'p2', 'p3', 'p4', 'p5']],
  ['-@rowid', ['p5', 'p4', 'p3', 'p2', 'p1']],
];

const invalid: ReadonlyArray<readonly [string, RegExp]> = [
  ['a,b,c,d,e,f,g,h,i', /more than 8 sort fields/],
  [`${'x'.repeat(256)}`, /longer than 255 characters/],
  ['editors.name', /cannot sort by the multi-valued "editors.name"/],
  ['comments_via_post.votes', /multi-valued/],
  ['nope', /unknown field "nope"/],
  ['title:lower', /invalid sort field/],
  ['--views', /invalid sort field/],
  ['@nope', /cannot sort by "@nope"/],
  ['@request.auth.id', /cannot sort by "@request.auth.id"/],
  [',', /no sort field given/],
];

forEachStore((name, open) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let context: SortContext;
  before(async () => {
    ({ store, cleanup } = await open());
    await loadDataset(store, schema, blogDataset);
    context = compileContextFor(store, schema, posts);
  });
  after(async () => cleanup());

  async function orderOf(sort: string, sortContext = context): Promise<string[]> {
    const rows = await store.all<{ id: string }>(
      sql`SELECT "t"."id" AS "id" FROM ${ident(posts.name)} AS "t" ORDER BY ${compileSort(sort, sortContext)}`,
    );
    return rows.map((row) => row.id);
  }

  for (const [sort, expected] of orders) {
    it(`sorts by ${JSON.stringify(sort)} as ${expected.join(' ')}`, async () => {
      assert.deepEqual(await orderOf(sort), [...expected]);
    });
  }

  it(`sorts by @random, json and multi select fields without failing (${name})`, async () => {
    for (const sort of ['@random', '-tags', 'data', 'data.a.b', 'author.profile.city'])
      assert.equal((await orderOf(sort)).length, 5);
  });

  it(`rejects @rowid on a view collection with SORT_INVALID, which has none (${name})`, () => {
    const view = { ...posts, type: 'view' as const };
    for (const sort of ['@rowid', '-@rowid', 'title,-@rowid'])
      assert.throws(
        () => compileSort(sort, { ...context, collection: view }),
        (error: { code: string; status: number; message: string }) => {
          assert.deepEqual([error.code, error.status], ['SORT_INVALID', 400]);
          assert.match(error.message, /a view collection has no "@rowid"/);
          return true;
        },
      );
  });

  for (const [sort, message] of invalid) {
    it(`rejects ${JSON.stringify(sort.slice(0, 20))} with SORT_INVALID`, () => {
      assert.throws(
        () => compileSort(sort, context),
        (error: { code: string; status: number; message: string }) => {
          assert.deepEqual([error.code, error.status], ['SORT_INVALID', 400]);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  it(`rejects hidden fields for callers without hidden access (${name})`, async () => {
    assert.throws(() => compileSort('secret', { ...context, allowHidden: false }), { code: 'SORT_INVALID' });
    for (const sort of ['author.password', 'author.tokenKey', '-author.password', 'parent.secret']) {
      assert.throws(
        () => compileSort(sort, { ...context, allowHidden: false }),
        (error: { code: string; message: string }) => {
          assert.equal(error.code, 'SORT_INVALID');
          assert.match(error.message, /^Invalid sort: unknown field "(password|tokenKey|secret)" in "[a-z.A-Z]+"\.$/);
          return true;
        },
      );
    }
    assert.equal((await orderOf('-secret')).length, 5);
  });

  it(`sorts by another user's hidden email as if it were "" (${name})`, async () => {
    const client = { ...context, allowHidden: false };
    assert.deepEqual(await orderOf('author.email,id', client), ['p1', 'p3', 'p4', 'p5', 'p2']);
    const ann = {
      ...client,
      request: { ...client.request, auth: { id: 'u1', collectionId: 'c_users', collectionName: 'users' } },
    };
    assert.deepEqual(await orderOf('author.email,id', ann), ['p3', 'p4', 'p5', 'p1', 'p2']);
    assert.deepEqual(await orderOf('author.email,id'), ['p3', 'p4', 'p1', 'p2', 'p5']);
  });

  it(`rejects a sort through a relation to a collection whose list rule is null, like an unknown field (${name})`, () => {
    const locked = blogSchema({ users: { listRule: null } });
    const client = { ...context, schema: locked.schema, collection: locked.posts, allowHidden: false };
    assert.throws(() => compileSort('author.name', client), {
      code: 'SORT_INVALID',
      message: 'Invalid sort: unknown field "name" in "author.name".',
    });
    assert.equal(compileSort('author', client).isEmpty, false);
    assert.equal(compileSort('author.name', { ...client, allowHidden: true }).isEmpty, false);
  });

  it(`answers 403 for @request and @collection without macro rights (${name})`, () => {
    for (const sort of ['@request.auth.id', 'title,@collection.users.id']) {
      assert.throws(() => compileSort(sort, { ...context, allowRequestMacros: false }), {
        code: 'FILTER_FORBIDDEN_MACRO',
        status: 403,
      });
    }
  });

  it(`returns an empty fragment for a blank sort (${name})`, () => {
    assert.equal(compileSort('', context).isEmpty, true);
    assert.equal(compileSort('  ', context).isEmpty, true);
  });
});
