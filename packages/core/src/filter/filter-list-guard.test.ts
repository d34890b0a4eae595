import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { column, ident, sql } from '../sql/sql.js';
import type { Store } from '../store/store.js';
import { forEachStore } from '../testing/test-stores.fixture.js';
import { blogDataset } from './filter-blog-dataset.fixture.js';
import { parseFilter } from './filter-cache.js';
import { compileFilter } from './filter-compiler.js';
import type { FilterContext, RequestInfo } from './filter-context.js';
import { createFilterPredicate } from './filter-evaluator.js';
import { isFilterNeedsDatabaseError } from './filter-needs-database.js';
import { compileSort } from './filter-sort.js';
import {
  blogSchema,
  compileContextFor,
  datasetSource,
  evaluateContextFor,
  guestRequest,
  loadDataset,
  selectIds,
} from './filter-test.fixture.js';

// Users may list only themselves; posts, comments and bookmarks stay public.
const blog = blogSchema({ users: { listRule: 'id = @request.auth.id' } });
const ann = guestRequest({ auth: { id: 'u1', collectionId: blog.users.id, collectionName: blog.users.name } });
const guest = guestRequest();

function clientContext(store: Store, request: RequestInfo, allowHidden = false): FilterContext {
  return compileContextFor(store, blog.schema, blog.posts, { request, allowHidden, allowRequestMacros: allowHidden });
}

forEachStore((name, open) => {
  describe(`relation paths into a collection with a list rule (${name})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ store, cleanup } = await open());
      await loadDataset(store, blog.schema, blogDataset);
    });
    after(async () => cleanup());

    const select = (filter: string, context: FilterContext) =>
      selectIds(store, blog.posts, compileFilter(parseFilter(filter), context));

    it('reads only the related rows the caller may list', async () => {
      assert.deepEqual(await select('author.name != ""', clientContext(store, ann)), ['p1']);
      assert.deepEqual(await select('author.name != ""', clientContext(store, guest)), []);
      assert.deepEqual(await select('editors.name ?= "bob"', clientContext(store, ann)), []);
      assert.deepEqual(await select('editors.name ?= "Ann"', clientContext(store, ann)), ['p3', 'p5']);
      assert.deepEqual(await select('comments_via_post.author.name ?= "Ann"', clientContext(store, ann)), ['p2']);
      assert.deepEqual(await select('comments_via_post.author.name ?= "bob"', clientContext(store, ann)), []);
    });

    it('leaves superusers and rules reading every row', async () => {
      assert.deepEqual(await select('author.name != ""', clientContext(store, guest, true)), ['p1', 'p2', 'p5']);
      assert.deepEqual(await select('editors.name ?= "bob"', clientContext(store, ann, true)), ['p1', 'p5']);
    });

    it('sorts as if a related row the caller may not list were missing', async () => {
      const order = async (request: RequestInfo) => {
        const context = clientContext(store, request);
        const rows = await store.all<{ id: string }>(
          sql`SELECT ${column('t', 'id')} AS "id" FROM ${ident(blog.posts.name)} AS "t" ORDER BY ${compileSort('-author.name,id', context)}`,
        );
        return rows.map((row) => row.id);
      };
      assert.deepEqual(await order(guest), ['p1', 'p2', 'p3', 'p4', 'p5']);
      assert.deepEqual(await order(ann), ['p1', 'p2', 'p3', 'p4', 'p5']);
      assert.deepEqual(
        await order(guestRequest({ auth: { id: 'u3', collectionId: blog.users.id, collectionName: blog.users.name } })),
        ['p5', 'p1', 'p2', 'p3', 'p4'],
      );
    });
  });
});

describe('relation paths into a collection with a list rule, in memory', () => {
  it('are left to SQL: the evaluator refuses to answer them', () => {
    const source = datasetSource(blog.schema, blogDataset);
    const context = evaluateContextFor(
      {
        ...compileContextFor({ dialect: { name: 'sqlite' } } as Store, blog.schema, blog.posts),
        request: ann,
        allowHidden: false,
        allowRequestMacros: false,
      },
      source,
    );
    assert.throws(() => createFilterPredicate(parseFilter('author.name != ""'), context), isFilterNeedsDatabaseError);
    assert.doesNotThrow(() => createFilterPredicate(parseFilter('title != ""'), context));
    assert.doesNotThrow(() =>
      createFilterPredicate(parseFilter('author.name != ""'), { ...context, allowHidden: true }),
    );
  });
});
