import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../errors/app-error.js';
import type { Collection } from '../schema/collection.js';
import { schemaViewOf, type SchemaView } from '../schema/schema-view.js';
import type { Store } from '../store/store.js';
import { forEachStore } from '../testing/test-stores.fixture.js';
import { blogDataset } from './filter-blog-dataset.fixture.js';
import { parseFilter } from './filter-cache.js';
import { compileFilter } from './filter-compiler.js';
import type { RequestInfo } from './filter-context.js';
import { compileSort } from './filter-sort.js';
import { blogSchema, compileContextFor, guestRequest, loadDataset, selectIds } from './filter-test.fixture.js';

/**
 * No filter oracle: a client cannot learn a hidden value by guessing. Every guess list
 * holds the stored value and wrong ones; the answer (error code and message, or the
 * selected ids) must be the same for all of them.
 */
const blog = blogSchema();
const SECRETS = new Set(['password', 'tokenKey', 'secret']);
/** The same collections with the hidden fields removed: what "a non-existent field" answers. */
const stripped = schemaViewOf(
  blog.schema.all().map((c): Collection => ({ ...c, fields: c.fields.filter((f) => !SECRETS.has(f.name)) })),
);
const ann = guestRequest({ auth: { id: 'u1', collectionId: blog.users.id, collectionName: blog.users.name } });
const bob = guestRequest({ auth: { id: 'u2', collectionId: blog.users.id, collectionName: blog.users.name } });

const hiddenProbes: ReadonlyArray<
  readonly [collection: 'users' | 'posts', template: string, guesses: readonly string[]]
> = [
  ['users', 'password = "{}"', ['$2a$hash-ann', '$2a$hash-bob', 'wrong', '']],
  ['users', 'password ~ "{}"', ['$2a$', 'hash-ann', 'zzz', '%']],
  ['users', 'tokenKey = "{}"', ['key-ann', 'key-bob', 'nope']],
  ['users', 'id = "u1" && tokenKey ~ "{}"', ['key', 'k', 'x']],
  ['posts', 'author.password = "{}"', ['$2a$hash-ann', 'wrong']],
  ['posts', 'author.tokenKey ?~ "{}"', ['key-ann', 'key', 'wrong']],
  ['posts', 'editors.password ?= "{}"', ['$2a$hash-bob', 'wrong']],
  ['posts', 'secret = "{}"', ['s', 'x']],
  ['posts', 'posts_via_parent.secret ?= "{}"', ['s', 'x']],
  ['posts', 'comments_via_post.author.tokenKey ?= "{}"', ['key-bob', 'x']],
];

/**
 * The requester, a filter on other users' hidden emails, and guesses (right ones first).
 * A guess is a candidate value: "" and a bare "%" are not, they ask whether an email is
 * visible, which `emailVisibility` already tells.
 */
const emailProbes: ReadonlyArray<
  readonly [request: RequestInfo, collection: 'users' | 'posts', template: string, guesses: readonly string[]]
> = [
  [bob, 'users', 'email = "{}"', ['ann@example.com', 'anne@example.com', 'a']],
  [bob, 'users', 'email ~ "{}"', ['ann@', 'ann', 'zed', 'ann%example', 'a_n']],
  [bob, 'users', 'id = "u3" && email > "{}"', ['emile@example.com', 'a', 'z']],
  [bob, 'posts', 'author.email = "{}"', ['ann@example.com', 'emile@example.com', 'x@example.com']],
  [guestRequest(), 'posts', 'editors.email ?~ "{}"', ['ann', 'emile', 'nobody']],
  [ann, 'posts', 'author.email:lower ?= "{}"', ['emile@example.com', 'x@example.com']],
];

type Outcome = { ids: string[] } | { error: string };

forEachStore((name, open) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ store, cleanup } = await open());
    await loadDataset(store, blog.schema, blogDataset);
  });
  after(async () => cleanup());

  async function outcome(
    schema: SchemaView,
    collection: 'users' | 'posts',
    filter: string,
    request: RequestInfo,
  ): Promise<Outcome> {
    const target = schema.find(collection)!;
    try {
      const where = compileFilter(
        parseFilter(filter),
        compileContextFor(store, schema, target, { request, allowHidden: false, allowRequestMacros: false }),
      );
      return { ids: await selectIds(store, target, where) };
    } catch (error) {
      if (!isAppError(error)) throw error;
      return { error: `${error.status} ${error.code}: ${error.message}` };
    }
  }

  it(`answers a filter on a hidden field exactly like one on a non-existent field, whatever the guess (${name})`, async () => {
    for (const [collection, template, guesses] of hiddenProbes) {
      const unknown = await outcome(stripped, collection, template.replace('{}', guesses[0]!), ann);
      assert.ok(
        'error' in unknown && unknown.error.startsWith('400 FILTER_INVALID: Invalid filter: unknown field'),
        `${template}: ${JSON.stringify(unknown)}`,
      );
      for (const guess of guesses) {
        assert.deepEqual(
          await outcome(blog.schema, collection, template.replace('{}', guess), ann),
          unknown,
          `${template} with ${guess}`,
        );
      }
    }
  });

  it(`never lets the result of a filter on another user's hidden email depend on the guess (${name})`, async () => {
    for (const [request, collection, template, guesses] of emailProbes) {
      const answers = await Promise.all(
        guesses.map((guess) => outcome(blog.schema, collection, template.replace('{}', guess), request)),
      );
      for (const answer of answers) assert.deepEqual(answer, answers[0], `${template}: ${JSON.stringify(answers)}`);
    }
  });

  it(`answers a sort by a hidden field exactly like one by a non-existent field (${name})`, () => {
    for (const sort of ['password', '-tokenKey', 'favorite.secret', 'id,password']) {
      const answers = [blog.schema, stripped].map((schema) => {
        try {
          compileSort(sort, { ...compileContextFor(store, schema, schema.find('users')!), allowHidden: false });
          return 'compiled';
        } catch (error) {
          return isAppError(error) ? `${error.status} ${error.code}: ${error.message}` : String(error);
        }
      });
      assert.match(answers[0]!, /^400 SORT_INVALID: Invalid sort: unknown field/);
      assert.equal(answers[0], answers[1]);
    }
  });

  it(`keeps the result of an allowed query independent of hidden values (${name})`, async () => {
    const twin = structuredClone(blogDataset);
    for (const user of twin.users ?? [])
      Object.assign(user, {
        password: 'other',
        tokenKey: 'other',
        email: user.emailVisibility ? user.email : 'changed@example.org',
      });
    for (const post of twin.posts ?? []) post.secret = 'changed';
    const { store: other, cleanup: cleanupOther } = await open();
    try {
      await loadDataset(other, blog.schema, twin);
      for (const filter of [
        'author.email ~ "example"',
        'email != ""',
        'editors.email ?> "a"',
        'title != "" || author.name = "Ann"',
      ]) {
        const collection = filter.startsWith('email') ? 'users' : 'posts';
        const context = compileContextFor(store, blog.schema, blog[collection], {
          request: bob,
          allowHidden: false,
          allowRequestMacros: false,
        });
        const where = compileFilter(parseFilter(filter), context);
        assert.deepEqual(
          await selectIds(other, blog[collection], where),
          await selectIds(store, blog[collection], where),
          filter,
        );
      }
    } finally {
      await cleanupOther();
    }
  });
});
