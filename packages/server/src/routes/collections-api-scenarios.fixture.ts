/**
 * The collections API scenario table: who may call each route, and what each route
 * does to the live schema (checked through the records API afterwards).
 */
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { ident, sql } from '@tandem/core';
import { blogCollections, ids } from '../testing/blog-fixture.fixture.js';
import type { Scenario } from '../testing/scenario.fixture.js';
import type { TestApp } from '../testing/test-app.fixture.js';
import { asSuperuser, asUser } from '../testing/test-principals.fixture.js';

const C = (rest = '') => `/api/collections${rest}`;
const su = asSuperuser;
const names = (b: any) => b.items.map((c: any) => c.name);
const count = async (t: TestApp, table: string) =>
  Number((await t.store.first<{ n: unknown }>(sql`SELECT COUNT(*) AS "n" FROM ${ident(table)}`))?.n);
const inject = async (t: TestApp, method: 'GET' | 'POST', url: string, body?: unknown) => {
  const response = await t.app.inject({
    method,
    url,
    headers: asSuperuser,
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
};
/** Flags a collection as a system one in storage (no API can), then reloads. */
const markSystem = async (t: TestApp, name: string, system: boolean) => {
  const collection = { ...t.collections.get(name), system };
  await t.store.run(
    sql`UPDATE "_collections" SET "definition" = ${JSON.stringify(collection)} WHERE "id" = ${collection.id}`,
  );
  await t.collections.load();
};
const timestamps = blogCollections()[0]!.fields as Record<string, unknown>[];
const authorFields = (extra: Record<string, unknown>[] = []) => [
  { name: 'name', type: 'text', required: true, max: 50 },
  { name: 'secret', type: 'text', hidden: true },
  ...extra,
  ...timestamps.slice(2),
];

/** Every route, as a guest (401), a user (403) and a superuser (2xx). */
const routes: Array<{ method: Scenario['method']; url: string; body?: unknown; status: number }> = [
  { method: 'GET', url: C(), status: 200 },
  { method: 'GET', url: C('/posts'), status: 200 },
  { method: 'POST', url: C(), body: { name: 'notes', fields: [{ name: 'text', type: 'text' }] }, status: 200 },
  { method: 'PATCH', url: C('/posts'), body: { listRule: null }, status: 200 },
  { method: 'DELETE', url: C('/locked'), status: 204 },
  { method: 'PUT', url: C('/import'), body: { collections: blogCollections() }, status: 204 },
  { method: 'DELETE', url: C('/drafts/truncate'), status: 204 },
  { method: 'GET', url: C('/meta/scaffolds'), status: 200 },
];

// The six blog collections plus the system collection `_superusers` (deleteMissing never drops system collections).
const BLOG_AND_SYSTEM = 7;

export const collectionsAccessScenarios: Scenario[] = routes.flatMap(({ method, url, body, status }) => [
  {
    name: `${method} ${url} as a guest is a 401`,
    method,
    url,
    body,
    status: 401,
    after: async (t: TestApp) => assert.equal(t.collections.all().length, BLOG_AND_SYSTEM),
  },
  {
    name: `${method} ${url} as a user is a 403`,
    method,
    url,
    body,
    headers: asUser,
    status: 403,
    after: async (t: TestApp) => assert.equal(await count(t, 'drafts'), 2),
  },
  { name: `${method} ${url} as a superuser is a ${status}`, method, url, body, headers: su, status },
]);

export const collectionsListScenarios: Scenario[] = [
  {
    name: 'list is a PocketBase page of collections',
    url: C(),
    headers: su,
    status: 200,
    json: (b) => {
      assert.deepEqual(Object.keys(b), ['page', 'perPage', 'totalItems', 'totalPages', 'items']);
      assert.equal(b.totalItems, BLOG_AND_SYSTEM);
      assert.equal(b.perPage, 30);
      assert.equal(b.totalPages, 1);
      const posts = b.items.find((c: any) => c.name === 'posts');
      assert.equal(posts.id, `pbc_${crc32('baseposts')}`);
      assert.equal(posts.type, 'base');
      assert.ok(Array.isArray(posts.fields));
    },
  },
  {
    name: 'list sorts by name',
    url: C('?sort=name'),
    headers: su,
    status: 200,
    json: (b) =>
      assert.deepEqual(names(b), ['_superusers', 'authors', 'comments', 'drafts', 'locked', 'posts', 'refs']),
  },
  {
    name: 'list sorts by name descending',
    url: C('?sort=-name'),
    headers: su,
    status: 200,
    json: (b) => assert.equal(names(b)[0], 'refs'),
  },
  {
    name: 'list sorts by created, then name',
    url: C('?sort=-created,name'),
    headers: su,
    status: 200,
    json: (b) => assert.equal(b.items.length, BLOG_AND_SYSTEM),
  },
  {
    name: 'list pages',
    url: C('?sort=name&perPage=4&page=2'),
    headers: su,
    status: 200,
    json: (b) => {
      assert.deepEqual(names(b), ['locked', 'posts', 'refs']);
      assert.equal(b.totalPages, 2);
      assert.equal(b.page, 2);
    },
  },
  {
    name: 'list filters by name with the filter language',
    url: C(`?filter=${encodeURIComponent('name ~ "post"')}`),
    headers: su,
    status: 200,
    json: (b) => assert.deepEqual(names(b), ['posts']),
  },
  {
    name: 'list filters with || and &&',
    url: C(`?sort=name&filter=${encodeURIComponent('name = "refs" || (name ~ "lock" && system = false)')}`),
    headers: su,
    status: 200,
    json: (b) => assert.deepEqual(names(b), ['locked', 'refs']),
  },
  {
    name: 'list filter on an unknown key is a 400',
    url: C(`?filter=${encodeURIComponent('nope = 1')}`),
    headers: su,
    status: 400,
  },
  {
    name: 'list filter with a syntax error is a 400',
    url: C(`?filter=${encodeURIComponent('name = ')}`),
    headers: su,
    status: 400,
  },
  { name: 'list sort by an unknown key is a 400', url: C('?sort=fields'), headers: su, status: 400 },
  {
    name: 'fields applies to each listed collection',
    url: C('?sort=name&fields=name'),
    headers: su,
    status: 200,
    json: (b) => assert.deepEqual(b.items[0], { name: '_superusers' }),
  },
];

export const collectionsViewScenarios: Scenario[] = [
  {
    name: 'view by name',
    url: C('/posts'),
    headers: su,
    status: 200,
    json: (b) => {
      assert.equal(b.name, 'posts');
      assert.ok(b.fields.some((f: any) => f.name === 'title' && f.type === 'text' && f.required === true));
      assert.deepEqual(Object.keys(b).sort(), [
        'createRule',
        'created',
        'deleteRule',
        'fields',
        'id',
        'indexes',
        'listRule',
        'name',
        'system',
        'type',
        'updateRule',
        'updated',
        'viewRule',
      ]);
    },
  },
  {
    name: 'view by id',
    url: C(`/pbc_${crc32('baseauthors')}`),
    headers: su,
    status: 200,
    json: (b) => assert.equal(b.name, 'authors'),
  },
  { name: 'view of an unknown collection is a 404', url: C('/nope'), headers: su, status: 404 },
  {
    name: 'view with fields',
    url: C('/posts?fields=id,name'),
    headers: su,
    status: 200,
    json: (b) => assert.deepEqual(Object.keys(b), ['id', 'name']),
  },
  {
    name: 'scaffolds have base, auth and view templates',
    url: C('/meta/scaffolds'),
    headers: su,
    status: 200,
    json: (b) => {
      assert.deepEqual(Object.keys(b).sort(), ['auth', 'base', 'view']);
      assert.deepEqual(
        b.base.fields.map((f: any) => f.name),
        ['id', 'created', 'updated'],
      );
      assert.deepEqual(
        b.auth.fields.map((f: any) => f.name),
        ['id', 'password', 'tokenKey', 'email', 'emailVisibility', 'verified', 'created', 'updated'],
      );
      assert.ok(
        b.auth.fields
          .filter((f: any) => f.name !== 'created' && f.name !== 'updated')
          .every((f: any) => f.system === true),
      );
      assert.equal(b.auth.passwordAuth.enabled, true);
      assert.equal(b.view.type, 'view');
      assert.equal(b.view.viewQuery, '');
    },
  },
];

export const collectionsCreateScenarios: Scenario[] = [
  {
    name: 'create answers 200 with the collection and the records API serves it',
    method: 'POST',
    url: C(),
    headers: su,
    body: { name: 'notes', listRule: '', createRule: '', fields: [{ name: 'text', type: 'text', required: true }] },
    status: 200,
    json: (b) => {
      assert.equal(b.id, `pbc_${crc32('basenotes')}`);
      assert.deepEqual(
        b.fields.map((f: any) => f.name),
        ['id', 'text'],
      );
      assert.equal(b.listRule, '');
    },
    after: async (t) => {
      const created = await inject(t, 'POST', '/api/collections/notes/records', { text: 'hello' });
      assert.equal(created.status, 200);
      assert.equal(created.body.text, 'hello');
      assert.equal((await inject(t, 'GET', '/api/collections/notes/records')).body.totalItems, 1);
    },
  },
  {
    name: 'create without a name names it',
    method: 'POST',
    url: C(),
    headers: su,
    body: { fields: [] },
    status: 400,
    dataKeys: ['name'],
    json: (b) => assert.equal(b.code, 'COLLECTION_INVALID'),
  },
  {
    name: 'create with a taken name names it',
    method: 'POST',
    url: C(),
    headers: su,
    body: { name: 'Posts' },
    status: 400,
    dataKeys: ['name'],
  },
  {
    name: 'create with an unknown field type names the field',
    method: 'POST',
    url: C(),
    headers: su,
    body: { name: 'bad', fields: [{ name: 'x', type: 'nope' }] },
    status: 400,
    dataKeys: ['fields'],
    json: (b) => assert.equal(b.data.fields[0].type.code, 'validation_invalid_type'),
    after: async (t) => assert.equal(t.collections.find('bad'), undefined),
  },
  {
    name: 'create with a relation to an unknown collection',
    method: 'POST',
    url: C(),
    headers: su,
    body: { name: 'bad', fields: [{ name: 'x', type: 'relation', collectionId: 'nope' }] },
    status: 400,
    dataKeys: ['fields'],
  },
  {
    name: 'create with a bad rule type',
    method: 'POST',
    url: C(),
    headers: su,
    body: { name: 'bad', listRule: 5 },
    status: 400,
    dataKeys: ['listRule'],
  },
  {
    name: 'create with an array body is a 400',
    method: 'POST',
    url: C(),
    headers: su,
    body: [{ name: 'x' }],
    status: 400,
  },
  {
    name: 'create with malformed JSON is a 400',
    method: 'POST',
    url: C(),
    headers: { ...su, 'content-type': 'application/json' },
    payload: '{"name": ',
    status: 400,
  },
];

export const collectionsUpdateScenarios: Scenario[] = [
  {
    name: 'PATCH adds a field and the records API sees it at once',
    method: 'PATCH',
    url: C('/authors'),
    headers: su,
    body: { fields: authorFields([{ name: 'bio', type: 'text', max: 20 }]) },
    status: 200,
    json: (b) => assert.ok(b.fields.some((f: any) => f.name === 'bio')),
    after: async (t) => {
      const created = await inject(t, 'POST', '/api/collections/authors/records', { name: 'Cy', bio: 'short bio' });
      assert.equal(created.status, 200);
      assert.equal(created.body.bio, 'short bio');
      assert.equal(
        (await inject(t, 'POST', '/api/collections/authors/records', { name: 'Di', bio: 'x'.repeat(21) })).status,
        400,
      );
      assert.equal((await inject(t, 'GET', `/api/collections/authors/records/${ids.ada}`)).body.name, 'Ada');
    },
  },
  {
    name: 'PATCH removes a field and its column',
    method: 'PATCH',
    url: C('/authors'),
    headers: su,
    body: { fields: [{ name: 'name', type: 'text' }, ...timestamps.slice(2)] },
    status: 200,
    after: async (t) => {
      const ada = (await inject(t, 'GET', `/api/collections/authors/records/${ids.ada}`)).body;
      assert.equal(ada.name, 'Ada');
      assert.equal('secret' in ada, false);
    },
  },
  {
    name: 'PATCH renames a collection and its table',
    method: 'PATCH',
    url: C('/authors'),
    headers: su,
    body: { name: 'writers' },
    status: 200,
    json: (b) => assert.equal(b.name, 'writers'),
    after: async (t) => {
      assert.equal((await inject(t, 'GET', '/api/collections/writers/records')).body.totalItems, 2);
      assert.equal((await inject(t, 'GET', '/api/collections/authors/records')).status, 404);
      const post = (await inject(t, 'GET', `/api/collections/posts/records/${ids.post1}?expand=author`)).body;
      assert.equal(post.expand.author.name, 'Ada');
    },
  },
  {
    name: 'PATCH changes a rule',
    method: 'PATCH',
    url: C('/posts'),
    headers: su,
    body: { listRule: null },
    status: 200,
    after: async (t) => assert.equal((await t.app.inject({ url: '/api/collections/posts/records' })).statusCode, 403),
  },
  {
    name: 'PATCH adds a unique index',
    method: 'PATCH',
    url: C('/authors'),
    headers: su,
    body: { indexes: ['CREATE UNIQUE INDEX idx_authors_name ON authors (name)'] },
    status: 200,
    after: async (t) =>
      assert.equal((await inject(t, 'POST', '/api/collections/authors/records', { name: 'Ada' })).status, 400),
  },
  {
    name: 'PATCH with an invalid name changes nothing',
    method: 'PATCH',
    url: C('/authors'),
    headers: su,
    body: { name: 'bad name', fields: authorFields([{ name: 'bio', type: 'text' }]) },
    status: 400,
    dataKeys: ['name'],
    after: async (t) => {
      assert.ok(t.collections.find('authors'));
      assert.equal(
        t.collections.get('authors').fields.some((f) => f.name === 'bio'),
        false,
      );
    },
  },
  {
    name: 'PATCH of an unknown collection is a 404',
    method: 'PATCH',
    url: C('/nope'),
    headers: su,
    body: { listRule: '' },
    status: 404,
  },
];

export const collectionsDeleteScenarios: Scenario[] = [
  {
    name: 'DELETE drops the collection and its records API',
    method: 'DELETE',
    url: C('/locked'),
    headers: su,
    status: 204,
    after: async (t) => {
      assert.equal((await inject(t, 'GET', '/api/collections/locked')).status, 404);
      assert.equal((await inject(t, 'GET', '/api/collections/locked/records')).status, 404);
    },
  },
  {
    name: 'DELETE of a referenced collection is a 400',
    method: 'DELETE',
    url: C('/authors'),
    headers: su,
    status: 400,
    dataKeys: ['collection'],
    after: async (t) => assert.equal(await count(t, 'authors'), 2),
  },
  {
    name: 'DELETE of a system collection is a 400',
    method: 'DELETE',
    url: C('/refs'),
    headers: su,
    status: 400,
    before: (t) => markSystem(t, 'refs', true),
    json: (b) => assert.equal(b.code, 'COLLECTION_SYSTEM_PROTECTED'),
    after: async (t) => {
      assert.ok(t.collections.find('refs'));
      await markSystem(t, 'refs', false);
    },
  },
  { name: 'DELETE of an unknown collection is a 404', method: 'DELETE', url: C('/nope'), headers: su, status: 404 },
];

/** The schema minus its timestamps, to compare before and after an import. */
const fingerprint = (t: TestApp) => JSON.stringify(t.collections.all());
let snapshot = '';

export const collectionsImportScenarios: Scenario[] = [
  {
    name: 'importing the current schema again changes nothing',
    method: 'PUT',
    url: C('/import'),
    headers: su,
    body: { collections: blogCollections() },
    status: 204,
    before: async (t) => {
      snapshot = fingerprint(t);
    },
    after: async (t) => {
      assert.equal(fingerprint(t), snapshot);
      assert.equal(await count(t, 'posts'), 3);
    },
  },
  {
    name: 'import adds a new collection and keeps the others',
    method: 'PUT',
    url: C('/import'),
    headers: su,
    body: { collections: [{ name: 'tags', type: 'base', fields: [{ name: 'label', type: 'text' }] }] },
    status: 204,
    after: async (t) => {
      assert.ok(t.collections.find('tags'));
      assert.equal(t.collections.all().length, BLOG_AND_SYSTEM + 1);
    },
  },
  {
    name: 'import with deleteMissing drops the collections not listed',
    method: 'PUT',
    url: C('/import'),
    headers: su,
    body: { collections: blogCollections().slice(0, 2), deleteMissing: true },
    status: 204,
    after: async (t) =>
      assert.deepEqual(
        t.collections
          .all()
          .map((c) => c.name)
          .sort(),
        ['_superusers', 'authors', 'posts'],
      ),
  },
  {
    name: 'import with deleteMissing refuses to orphan a relation',
    method: 'PUT',
    url: C('/import'),
    headers: su,
    body: { collections: blogCollections().slice(1, 2), deleteMissing: true },
    status: 400,
    after: async (t) => assert.equal(t.collections.all().length, BLOG_AND_SYSTEM),
  },
  {
    name: 'import changes a collection in place',
    method: 'PUT',
    url: C('/import'),
    headers: su,
    body: {
      collections: [
        {
          name: 'authors',
          type: 'base',
          listRule: '',
          viewRule: '',
          createRule: '',
          updateRule: '',
          deleteRule: '',
          fields: authorFields([{ name: 'bio', type: 'text' }]),
        },
      ],
    },
    status: 204,
    after: async (t) => {
      assert.ok(t.collections.get('authors').fields.some((f) => f.name === 'bio'));
      assert.equal(await count(t, 'authors'), 2);
    },
  },
  {
    name: 'import of an invalid collection writes nothing',
    method: 'PUT',
    url: C('/import'),
    headers: su,
    body: { collections: [{ name: 'tags', fields: [] }, { name: 'bad name' }] },
    status: 400,
    after: async (t) => assert.equal(t.collections.find('tags'), undefined),
  },
  {
    name: 'import without a collections list is a 400',
    method: 'PUT',
    url: C('/import'),
    headers: su,
    body: { deleteMissing: true },
    status: 400,
    dataKeys: ['collections'],
  },
  {
    name: 'import with a non-boolean deleteMissing is a 400',
    method: 'PUT',
    url: C('/import'),
    headers: su,
    body: { collections: [], deleteMissing: 'yes' },
    status: 400,
    dataKeys: ['deleteMissing'],
  },
];

export const collectionsTruncateScenarios: Scenario[] = [
  {
    name: 'truncate empties a collection',
    method: 'DELETE',
    url: C('/drafts/truncate'),
    headers: su,
    status: 204,
    after: async (t) => {
      assert.equal(await count(t, 'drafts'), 0);
      assert.equal(await count(t, 'posts'), 3);
    },
  },
  {
    name: 'truncate settles relations that point into the collection',
    method: 'DELETE',
    url: C('/authors/truncate'),
    headers: su,
    status: 204,
    after: async (t) => {
      assert.equal(await count(t, 'authors'), 0);
      assert.equal(await count(t, 'posts'), 3);
      const post = (await inject(t, 'GET', `/api/collections/posts/records/${ids.post1}`)).body;
      assert.equal(post.author, '');
      assert.deepEqual(post.editors, []);
    },
  },
  {
    name: 'truncate refused by a required relation elsewhere deletes nothing',
    method: 'DELETE',
    url: C('/posts/truncate'),
    headers: su,
    status: 400,
    after: async (t) => {
      assert.equal(await count(t, 'posts'), 3);
      assert.equal(await count(t, 'comments'), 3);
    },
  },
  {
    name: 'truncate of an unknown collection is a 404',
    method: 'DELETE',
    url: C('/nope/truncate'),
    headers: su,
    status: 404,
  },
];

/** Every collections API scenario. */
export const collectionsApiScenarios: Scenario[] = [
  ...collectionsAccessScenarios,
  ...collectionsListScenarios,
  ...collectionsViewScenarios,
  ...collectionsCreateScenarios,
  ...collectionsUpdateScenarios,
  ...collectionsDeleteScenarios,
  ...collectionsImportScenarios,
  ...collectionsTruncateScenarios,
];
