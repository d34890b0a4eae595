/**
 * The records API scenario table: status, shape, error `data` keys and forbidden
 * content, for every route and the bad inputs a client can send.
 */
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { ids } from '../testing/blog-fixture.fixture.js';
import type { Scenario } from '../testing/scenario.fixture.js';
import type { TestApp } from '../testing/test-app.fixture.js';

const R = (collection: string, rest = '') => `/api/collections/${collection}/records${rest}`;
const q = (params: Record<string, string>) => '?' + new URLSearchParams(params).toString();
const itemIds = (body: any) => body.items.map((item: any) => item.id).sort();
const count = async (t: TestApp, collection: string, filter = '') =>
  (
    await t.records.list(
      collection,
      { filter, perPage: 1000 },
      { principal: { kind: 'superuser', id: 'test' }, method: 'GET', headers: {}, query: {}, context: 'default' },
    )
  ).totalItems;

export const listScenarios: Scenario[] = [
  {
    name: 'list returns a PocketBase page',
    url: R('posts'),
    status: 200,
    json: (b) => {
      assert.deepEqual(Object.keys(b), ['page', 'perPage', 'totalItems', 'totalPages', 'items']);
      assert.equal(b.totalItems, 3);
      assert.equal(b.perPage, 30);
      assert.equal(b.page, 1);
      assert.equal(b.totalPages, 1);
    },
  },
  {
    name: 'list items carry collectionId, collectionName and id first',
    url: R('posts', q({ sort: 'title' })),
    status: 200,
    json: (b) => {
      assert.deepEqual(Object.keys(b.items[0]).slice(0, 3), ['collectionId', 'collectionName', 'id']);
      assert.equal(b.items[0].collectionName, 'posts');
    },
  },
  {
    name: 'list by collection id works like by name',
    url: R(`pbc_${crc32('baseposts')}`),
    status: 200,
    json: (b) => assert.equal(b.totalItems, 3),
  },
  {
    name: 'perPage 0 falls back to 30',
    url: R('posts', q({ perPage: '0' })),
    status: 200,
    json: (b) => assert.equal(b.perPage, 30),
  },
  {
    name: 'perPage above 1000 is clamped and echoed',
    url: R('posts', q({ perPage: '5000' })),
    status: 200,
    json: (b) => assert.equal(b.perPage, 1000),
  },
  {
    name: 'negative page becomes 1',
    url: R('posts', q({ page: '-3' })),
    status: 200,
    json: (b) => assert.equal(b.page, 1),
  },
  {
    name: 'paging splits items',
    url: R('posts', q({ perPage: '2', page: '2', sort: 'title' })),
    status: 200,
    json: (b) => {
      assert.equal(b.items.length, 1);
      assert.equal(b.totalPages, 2);
      assert.equal(b.items[0].id, ids.post3);
    },
  },
  {
    name: 'skipTotal gives -1 totals',
    url: R('posts', q({ skipTotal: '1' })),
    status: 200,
    json: (b) => {
      assert.equal(b.totalItems, -1);
      assert.equal(b.totalPages, -1);
    },
  },
  {
    name: 'sort descending by number',
    url: R('posts', q({ sort: '-views' })),
    status: 200,
    json: (b) =>
      assert.deepEqual(
        b.items.map((i: any) => i.views),
        [10, 3, 0],
      ),
  },
  {
    name: 'sort ascending with + prefix',
    url: R('posts', q({ sort: '+views' })),
    status: 200,
    json: (b) =>
      assert.deepEqual(
        b.items.map((i: any) => i.views),
        [0, 3, 10],
      ),
  },
  {
    name: 'sort by a relation path',
    url: R('posts', q({ sort: '-author.name,title', filter: 'author != ""' })),
    status: 200,
    json: (b) =>
      assert.deepEqual(
        b.items.map((i: any) => i.id),
        [ids.post2, ids.post1],
      ),
  },
  { name: 'sort by an unknown field is a 400', url: R('posts', q({ sort: 'nope' })), status: 400 },
  {
    name: 'sort with SQL in it is a 400',
    url: R('posts', q({ sort: 'title; DROP TABLE posts' })),
    status: 400,
    after: async (t) => assert.equal(await count(t, 'posts'), 3),
  },
  {
    name: 'a blank sort is no sort',
    url: R('posts', q({ sort: ' \t' })),
    status: 200,
    json: (b) => assert.equal(b.totalItems, 3),
  },
  {
    name: 'a repeated query parameter counts once, the first',
    url: R('posts', '?sort=-views&sort=title&filter=views>0&filter=nope&expand=author&expand=1'),
    status: 200,
    json: (b) => {
      assert.deepEqual(
        b.items.map((i: any) => i.views),
        [10, 3],
      );
      assert.equal(b.items[0].expand.author.name, 'Ada');
    },
  },
  {
    name: 'filter by equality',
    url: R('posts', q({ filter: 'status = "live"' })),
    status: 200,
    json: (b) => assert.deepEqual(itemIds(b), [ids.post1, ids.post3]),
  },
  {
    name: 'filter with && and ||',
    url: R('posts', q({ filter: '(views > 5 || views = 0) && published = true' })),
    status: 200,
    json: (b) => assert.deepEqual(itemIds(b), [ids.post1, ids.post3]),
  },
  {
    name: 'filter with ~ (contains)',
    url: R('posts', q({ filter: "title ~ 'post'" })),
    status: 200,
    json: (b) => assert.deepEqual(itemIds(b), [ids.post2]),
  },
  {
    name: 'filter through a relation',
    url: R('posts', q({ filter: 'author.name = "Ada"' })),
    status: 200,
    json: (b) => assert.deepEqual(itemIds(b), [ids.post1]),
  },
  {
    name: 'filter through a back-relation',
    url: R('posts', q({ filter: 'comments_via_post.body ?= "Hmm"' })),
    status: 200,
    json: (b) => assert.deepEqual(itemIds(b), [ids.post2]),
  },
  {
    name: 'filter on a multi select with ?=',
    url: R('posts', q({ filter: 'tags ?= "b"' })),
    status: 200,
    json: (b) => assert.deepEqual(itemIds(b), [ids.post1]),
  },
  {
    name: 'filter on a JSON path',
    url: R('posts', q({ filter: 'meta.lang = "fr"' })),
    status: 200,
    json: (b) => assert.deepEqual(itemIds(b), [ids.post2]),
  },
  {
    name: 'filter with :length',
    url: R('posts', q({ filter: 'tags:length = 2' })),
    status: 200,
    json: (b) => assert.deepEqual(itemIds(b), [ids.post1]),
  },
  {
    name: 'filter with a datetime macro',
    url: R('posts', q({ filter: 'publishedAt < @now && publishedAt != ""' })),
    status: 200,
    json: (b) => assert.deepEqual(itemIds(b), [ids.post1, ids.post2]),
  },
  {
    name: 'a syntax error is a 400 that says where',
    url: R('posts', q({ filter: 'title = ' })),
    status: 400,
    contains: ['position'],
  },
  { name: 'an unknown field in a filter is a 400', url: R('posts', q({ filter: 'nope = 1' })), status: 400 },
  {
    name: 'a filter over 3500 characters is a 400',
    url: R('posts', q({ filter: 'title = "' + 'x'.repeat(3600) + '"' })),
    status: 400,
  },
  {
    name: 'a guest filter with @request is a 403',
    url: R('posts', q({ filter: '@request.auth.id = ""' })),
    status: 403,
  },
  {
    name: 'a guest filter on a hidden field is a 400',
    url: R('authors', q({ filter: 'secret = "ada-secret"' })),
    status: 400,
    notContains: ['ada-secret'],
  },
  {
    name: 'a guest filter on a hidden field through a relation is a 400',
    url: R('posts', q({ filter: 'author.secret ~ "a"' })),
    status: 400,
  },
  {
    name: 'the hidden-field error does not depend on the guessed value',
    url: R('authors', q({ filter: 'secret = "wrong-guess"' })),
    status: 400,
    notContains: ['wrong-guess'],
  },
  {
    name: 'a hostile filter is a 400, never a 500',
    url: R('posts', q({ filter: "') OR 1=1; DROP TABLE posts; --" })),
    status: 400,
    after: async (t) => assert.equal(await count(t, 'posts'), 3),
  },
  {
    name: 'hidden fields are not in list items',
    url: R('authors'),
    status: 200,
    notContains: ['ada-secret', '"secret"'],
  },
  {
    name: 'the list rule filters rows',
    url: R('drafts'),
    status: 200,
    json: (b) => {
      assert.deepEqual(itemIds(b), [ids.live1]);
      assert.equal(b.totalItems, 1);
    },
  },
  { name: 'a locked list is a 403 for guests', url: R('locked'), status: 403 },
  { name: 'an unknown collection is a 404', url: R('nope'), status: 404 },
];

export const expandAndFieldsScenarios: Scenario[] = [
  {
    name: 'expand a single relation',
    url: R('posts', `/${ids.post1}?expand=author`),
    status: 200,
    json: (b) => assert.equal(b.expand.author.name, 'Ada'),
  },
  {
    name: 'expand a multi relation keeps order',
    url: R('posts', `/${ids.post1}?expand=editors`),
    status: 200,
    json: (b) =>
      assert.deepEqual(
        b.expand.editors.map((e: any) => e.id),
        [ids.ada, ids.bob],
      ),
  },
  {
    name: 'expand a back-relation',
    url: R('posts', `/${ids.post1}?expand=comments_via_post`),
    status: 200,
    json: (b) =>
      assert.deepEqual(b.expand.comments_via_post.map((c: any) => c.id).sort(), [ids.comment1, ids.comment2]),
  },
  {
    name: 'expand nested paths',
    url: R('posts', `/${ids.post1}?expand=comments_via_post.by`),
    status: 200,
    json: (b) => {
      const byId = Object.fromEntries(b.expand.comments_via_post.map((c: any) => [c.id, c.expand.by.name]));
      assert.deepEqual(byId, { [ids.comment1]: 'Bob', [ids.comment2]: 'Ada' });
    },
  },
  {
    name: 'expanded records hide hidden fields',
    url: R('posts', `/${ids.post1}?expand=author`),
    status: 200,
    notContains: ['ada-secret'],
  },
  {
    name: 'an unknown expand is skipped silently',
    url: R('posts', `/${ids.post1}?expand=nope,author`),
    status: 200,
    json: (b) => assert.deepEqual(Object.keys(b.expand), ['author']),
  },
  {
    name: 'an empty relation is not expanded',
    url: R('posts', `/${ids.post3}?expand=author`),
    status: 200,
    json: (b) => assert.equal(b.expand, undefined),
  },
  {
    name: 'expand on list items',
    url: R('posts', q({ expand: 'author', sort: 'title' })),
    status: 200,
    json: (b) => assert.equal(b.items[0].expand.author.name, 'Ada'),
  },
  {
    name: 'fields picks keys of each list item',
    url: R('posts', q({ fields: 'id,title', sort: 'title' })),
    status: 200,
    json: (b) => {
      assert.deepEqual(Object.keys(b.items[0]), ['id', 'title']);
      assert.equal(b.totalItems, 3);
    },
  },
  {
    name: 'fields with :excerpt strips tags and cuts',
    url: R('posts', `/${ids.post1}?fields=body:excerpt(12,true)`),
    status: 200,
    json: (b) => assert.deepEqual(b, { body: 'The first po...' }),
  },
  {
    name: 'fields reaches into expand',
    url: R('posts', `/${ids.post1}?expand=author&fields=id,expand.author.name`),
    status: 200,
    json: (b) => assert.deepEqual(b, { id: ids.post1, expand: { author: { name: 'Ada' } } }),
  },
  {
    name: 'fields with * keeps every key',
    url: R('posts', `/${ids.post1}?fields=*`),
    status: 200,
    json: (b) => assert.equal(b.title, 'Hello world'),
  },
  {
    name: 'bad fields syntax is a 400',
    url: R('posts', `/${ids.post1}?fields=${encodeURIComponent('id,(title)')}`),
    status: 400,
  },
];

export const viewScenarios: Scenario[] = [
  {
    name: 'view returns the record with typed values',
    url: R('posts', `/${ids.post1}`),
    status: 200,
    json: (b) => {
      assert.equal(b.views, 10);
      assert.equal(b.published, true);
      assert.deepEqual(b.tags, ['a', 'b']);
      assert.deepEqual(b.meta, { lang: 'en', n: 1 });
      assert.match(b.created, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    },
  },
  {
    name: 'zero values of an empty record',
    url: R('posts', `/${ids.post3}`),
    status: 200,
    json: (b) => {
      assert.equal(b.author, '');
      assert.deepEqual(b.editors, []);
      assert.equal(b.meta, null);
      assert.equal(b.link, '');
    },
  },
  { name: 'view of a missing record is a 404', url: R('posts', '/missingmissing1'), status: 404 },
  { name: 'view hidden by the view rule is a 404', url: R('drafts', `/${ids.draft1}`), status: 404 },
  { name: 'view allowed by the view rule', url: R('drafts', `/${ids.live1}`), status: 200 },
  {
    name: 'view of a locked collection is a 403',
    url: R('locked', `/${ids.locked1}`),
    status: 403,
    notContains: ['superusers only'],
  },
  { name: 'view hides hidden fields', url: R('authors', `/${ids.ada}`), status: 200, notContains: ['ada-secret'] },
];

export const createScenarios: Scenario[] = [
  {
    name: 'create answers 200 with the record',
    method: 'POST',
    url: R('posts'),
    body: { title: 'New post', views: 1, tags: ['a'] },
    status: 200,
    json: (b) => {
      assert.match(b.id, /^[a-z0-9]{15}$/);
      assert.equal(b.title, 'New post');
      assert.match(b.slug, /^[a-z]{8}$/);
      assert.equal(b.created, b.updated);
    },
    after: async (t) => assert.equal(await count(t, 'posts'), 4),
  },
  {
    name: 'create with a client id',
    method: 'POST',
    url: R('posts'),
    body: { id: 'myownid12345678', title: 'Mine' },
    status: 200,
    json: (b) => assert.equal(b.id, 'myownid12345678'),
  },
  {
    name: 'create with a taken id is a 400 on id',
    method: 'POST',
    url: R('posts'),
    body: { id: ids.post1, title: 'Dup' },
    status: 400,
    dataKeys: ['id'],
  },
  {
    name: 'create with a malformed id is a 400 on id',
    method: 'POST',
    url: R('posts'),
    body: { id: 'BAD ID', title: 'Bad' },
    status: 400,
    dataKeys: ['id'],
  },
  {
    name: 'create missing a required field names it',
    method: 'POST',
    url: R('posts'),
    body: { views: 1 },
    status: 400,
    dataKeys: ['title'],
    json: (b) => assert.equal(b.data.title.code, 'validation_required'),
  },
  {
    name: 'create with wrong types names each field',
    method: 'POST',
    url: R('posts'),
    body: {
      title: 'ok title',
      views: 'many',
      published: 'maybe',
      meta: undefined,
      link: 'not a url',
      contact: 'nope',
      publishedAt: 'someday',
    },
    status: 400,
    dataKeys: ['views', 'published', 'link', 'contact', 'publishedAt'],
  },
  {
    name: 'create with a decimal in an onlyInt number',
    method: 'POST',
    url: R('posts'),
    body: { title: 'ok title', views: 1.5 },
    status: 400,
    dataKeys: ['views'],
  },
  {
    name: 'create with a value below min',
    method: 'POST',
    url: R('posts'),
    body: { title: 'ok title', views: -1 },
    status: 400,
    dataKeys: ['views'],
  },
  {
    name: 'create with text too short',
    method: 'POST',
    url: R('posts'),
    body: { title: 'ab' },
    status: 400,
    dataKeys: ['title'],
  },
  {
    name: 'create with an unknown select value',
    method: 'POST',
    url: R('posts'),
    body: { title: 'ok title', tags: ['z'] },
    status: 400,
    dataKeys: ['tags'],
  },
  {
    name: 'create with too many select values',
    method: 'POST',
    url: R('posts'),
    body: { title: 'ok title', tags: ['a', 'b', 'c', 'd'] },
    status: 400,
    dataKeys: ['tags'],
  },
  {
    name: 'create with a missing relation target',
    method: 'POST',
    url: R('posts'),
    body: { title: 'ok title', author: 'missingmissing1' },
    status: 400,
    dataKeys: ['author'],
  },
  {
    name: 'create with a duplicate unique value names the field',
    method: 'POST',
    url: R('posts'),
    body: { title: 'ok title', slug: 'helloooo' },
    status: 400,
    dataKeys: ['slug'],
  },
  {
    name: 'create ignores autodate values from the client',
    method: 'POST',
    url: R('posts'),
    body: { title: 'ok title', created: '2000-01-01 00:00:00.000Z' },
    status: 200,
    json: (b) => assert.notEqual(b.created, '2000-01-01 00:00:00.000Z'),
  },
  {
    name: 'create ignores unknown keys',
    method: 'POST',
    url: R('posts'),
    body: { title: 'ok title', nope: 1 },
    status: 200,
    notContains: ['nope'],
  },
  {
    name: 'malformed JSON is a 400',
    method: 'POST',
    url: R('posts'),
    payload: '{"title": ',
    headers: { 'content-type': 'application/json' },
    status: 400,
    after: async (t) => assert.equal(await count(t, 'posts'), 3),
  },
  { name: 'a JSON array body is a 400', method: 'POST', url: R('posts'), body: [{ title: 'x' }], status: 400 },
  {
    name: 'a text/plain body is a 415',
    method: 'POST',
    url: R('posts'),
    payload: 'title=x',
    headers: { 'content-type': 'text/plain' },
    status: 415,
  },
  {
    name: 'a body over the limit is a 413',
    method: 'POST',
    url: R('posts'),
    payload: JSON.stringify({ title: 'x'.repeat(33 * 1024 * 1024) }),
    headers: { 'content-type': 'application/json' },
    status: 413,
    after: async (t) => assert.equal(await count(t, 'posts'), 3),
  },
  {
    name: '__proto__ in the body is refused',
    method: 'POST',
    url: R('posts'),
    payload: '{"title":"ok title","__proto__":{"polluted":true}}',
    headers: { 'content-type': 'application/json' },
    status: 400,
    after: async () => assert.equal(({} as any).polluted, undefined),
  },
  {
    name: 'create into a locked collection is a 403',
    method: 'POST',
    url: R('locked'),
    body: { note: 'x' },
    status: 403,
  },
  {
    name: 'create into a locked collection is a 403 before any field is validated',
    method: 'POST',
    url: R('locked'),
    body: { note: 12, nope: [1, 2] },
    status: 403,
    json: (b) => assert.equal(b.code, 'SUPERUSER_ONLY'),
  },
  {
    // PocketBase binds the body before it checks the rule (RequestInfo fails first).
    name: 'create into a locked collection with a body that is no JSON object is a 400, as in PocketBase',
    method: 'POST',
    url: R('locked'),
    body: [1, 2],
    status: 400,
    json: (b) => assert.equal(b.code, 'BODY_INVALID'),
  },
  {
    name: 'create into a locked collection with malformed JSON is a 400, as in PocketBase',
    method: 'POST',
    url: R('locked'),
    payload: '{"note": ',
    headers: { 'content-type': 'application/json' },
    status: 400,
    json: (b) => assert.equal(b.code, 'JSON_INVALID'),
  },
  {
    name: 'create refused by the create rule is a 400 and writes nothing',
    method: 'POST',
    url: R('drafts'),
    body: { title: 'forbidden' },
    status: 400,
    after: async (t) => assert.equal(await count(t, 'drafts'), 2),
  },
  { name: 'create allowed by the create rule', method: 'POST', url: R('drafts'), body: { title: 'fine' }, status: 200 },
  { name: 'create in an unknown collection is a 404', method: 'POST', url: R('nope'), body: {}, status: 404 },
];

export const updateScenarios: Scenario[] = [
  {
    name: 'PATCH changes only the given fields',
    method: 'PATCH',
    url: R('posts', `/${ids.post1}`),
    body: { title: 'Changed' },
    status: 200,
    json: (b) => {
      assert.equal(b.title, 'Changed');
      assert.equal(b.views, 10);
    },
  },
  {
    name: 'PATCH with number modifiers',
    method: 'PATCH',
    url: R('posts', `/${ids.post1}`),
    body: { 'views+': 5, 'rating-': 0.5 },
    status: 200,
    json: (b) => {
      assert.equal(b.views, 15);
      assert.equal(b.rating, 4);
    },
  },
  {
    name: 'PATCH with list modifiers',
    method: 'PATCH',
    url: R('posts', `/${ids.post1}`),
    body: { 'tags+': 'c', 'tags-': 'a', '+editors': [] },
    status: 200,
    json: (b) => assert.deepEqual(b.tags, ['b', 'c']),
  },
  {
    name: 'PATCH with prepend',
    method: 'PATCH',
    url: R('posts', `/${ids.post2}`),
    body: { '+tags': 'a' },
    status: 200,
    json: (b) => assert.deepEqual(b.tags, ['a', 'c']),
  },
  {
    name: 'PATCH bumps updated but not created',
    method: 'PATCH',
    url: R('posts', `/${ids.post1}`),
    body: { body: 'x' },
    status: 200,
    json: (b) => assert.ok(b.updated >= b.created),
  },
  {
    name: 'PATCH with an invalid value is a 400 and changes nothing',
    method: 'PATCH',
    url: R('posts', `/${ids.post1}`),
    body: { title: 'ok', views: 'x' },
    status: 400,
    dataKeys: ['title', 'views'],
    after: async (t) => assert.equal(await count(t, 'posts', 'title = "Hello world"'), 1),
  },
  {
    name: 'PATCH of a missing record is a 404',
    method: 'PATCH',
    url: R('posts', '/missingmissing1'),
    body: { title: 'x' },
    status: 404,
  },
  {
    name: 'PATCH refused by the update rule is a 404',
    method: 'PATCH',
    url: R('drafts', `/${ids.draft1}`),
    body: { title: 'x' },
    status: 404,
  },
  {
    name: 'PATCH allowed by the update rule',
    method: 'PATCH',
    url: R('drafts', `/${ids.live1}`),
    body: { title: 'x' },
    status: 200,
  },
  {
    name: 'PATCH of a locked collection is a 403',
    method: 'PATCH',
    url: R('locked', `/${ids.locked1}`),
    body: { note: 'x' },
    status: 403,
  },
  {
    name: 'PATCH of a locked collection with a body that is no JSON object is a 400, as in PocketBase',
    method: 'PATCH',
    url: R('locked', `/${ids.locked1}`),
    body: 'not an object',
    status: 400,
    json: (b) => assert.equal(b.code, 'BODY_INVALID'),
  },
  {
    name: 'PATCH cannot change the id',
    method: 'PATCH',
    url: R('posts', `/${ids.post1}`),
    body: { id: 'otheridotherid1' },
    status: 200,
    json: (b) => assert.equal(b.id, ids.post1),
  },
  {
    name: 'PUT replaces the whole record',
    method: 'PUT',
    url: R('posts', `/${ids.post1}`),
    body: { title: 'Replaced' },
    status: 200,
    json: (b) => {
      assert.equal(b.title, 'Replaced');
      assert.equal(b.views, 0);
      assert.deepEqual(b.tags, []);
      assert.equal(b.author, '');
    },
  },
  {
    name: 'PUT still validates required fields',
    method: 'PUT',
    url: R('posts', `/${ids.post1}`),
    body: { views: 1 },
    status: 400,
    dataKeys: ['title'],
  },
];

export const deleteScenarios: Scenario[] = [
  {
    name: 'delete answers 204 with no body',
    method: 'DELETE',
    url: R('drafts', `/${ids.draft1}`),
    status: 204,
    after: async (t) => assert.equal(await count(t, 'drafts'), 1),
  },
  { name: 'delete of a missing record is a 404', method: 'DELETE', url: R('posts', '/missingmissing1'), status: 404 },
  {
    name: 'delete refused by the delete rule is a 404',
    method: 'DELETE',
    url: R('drafts', `/${ids.live1}`),
    status: 404,
    after: async (t) => assert.equal(await count(t, 'drafts'), 2),
  },
  {
    name: 'delete of a locked collection is a 403',
    method: 'DELETE',
    url: R('locked', `/${ids.locked1}`),
    status: 403,
  },
  {
    name: 'delete cascades to records with cascadeDelete',
    method: 'DELETE',
    url: R('posts', `/${ids.post1}`),
    status: 204,
    after: async (t) => {
      assert.equal(await count(t, 'comments', `post = "${ids.post1}"`), 0);
      assert.equal(await count(t, 'comments'), 1);
    },
  },
  {
    name: 'delete refused while a required relation points at the record',
    method: 'DELETE',
    url: R('posts', `/${ids.post2}`),
    status: 400,
    after: async (t) => {
      assert.equal(await count(t, 'posts'), 3);
      assert.equal(await count(t, 'comments'), 3);
    },
  },
  {
    name: 'delete clears optional relations and drops ids from lists',
    method: 'DELETE',
    url: R('authors', `/${ids.bob}`),
    status: 204,
    after: async (t) => {
      assert.equal(await count(t, 'posts', 'author = ""'), 2);
      assert.equal(await count(t, 'posts', `editors ?= "${ids.bob}"`), 0);
      assert.equal(await count(t, 'posts', `editors ?= "${ids.ada}"`), 1);
    },
  },
];

export const miscScenarios: Scenario[] = [
  {
    name: 'health answers with code 200',
    url: '/api/health',
    status: 200,
    json: (b) => assert.deepEqual(b, { message: 'API is healthy.', code: 200, data: {} }),
  },
  { name: 'health answers HEAD', method: 'HEAD', url: '/api/health', status: 200 },
  { name: 'an unknown API route is a JSON 404', url: '/api/nope', status: 404 },
  { name: 'a method the route does not have is a 404', method: 'DELETE', url: R('posts'), status: 404 },
];

/** Every scenario of the records API. */
export const recordsApiScenarios: Scenario[] = [
  ...listScenarios,
  ...expandAndFieldsScenarios,
  ...viewScenarios,
  ...createScenarios,
  ...updateScenarios,
  ...deleteScenarios,
  ...miscScenarios,
];
