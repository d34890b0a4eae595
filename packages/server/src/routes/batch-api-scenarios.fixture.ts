/**
 * The batch API scenario table: order and statuses, all-or-nothing rollback with the
 * failed index, rules per item with the outer principal, limits from the settings and
 * malformed bodies.
 */
import assert from 'node:assert/strict';
import { ident, sql } from '@tandem/core';
import { ids } from '../testing/blog-fixture.fixture.js';
import type { Scenario } from '../testing/scenario.fixture.js';
import type { TestApp } from '../testing/test-app.fixture.js';
import { asSuperuser, asUser, testTokens } from '../testing/test-principals.fixture.js';

const B = '/api/batch';
const R = (collection: string, rest = '') => `/api/collections/${collection}/records${rest}`;
const count = async (t: TestApp, table: string) =>
  Number((await t.store.first<{ n: unknown }>(sql`SELECT COUNT(*) AS "n" FROM ${ident(table)}`))?.n);
const counts = (expected: Record<string, number>) => async (t: TestApp) => {
  for (const [table, n] of Object.entries(expected)) assert.equal(await count(t, table), n, `rows in ${table}`);
};
/** The failure entry of a BATCH_FAILED body, asserting it names exactly `index`. */
const failedAt = (b: any, index: number) => {
  assert.equal(b.code, 'BATCH_FAILED');
  assert.equal(b.message, 'Batch transaction failed.');
  assert.deepEqual(Object.keys(b.data.requests), [String(index)]);
  const entry = b.data.requests[index];
  assert.equal(entry.code, 'batch_request_failed');
  assert.equal(entry.message, 'Batch request failed.');
  assert.deepEqual(Object.keys(entry.response), ['status', 'message', 'data']);
  return entry.response;
};

/** A multipart/form-data body of text parts. */
const multipart = (boundary: string, parts: Array<[string, string]>) =>
  parts
    .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join('') + `--${boundary}--\r\n`;

/** Collections only the batch suite uses, with rules that read the request. */
export const batchCollections: Record<string, unknown>[] = [
  {
    name: 'ctxonly',
    type: 'base',
    listRule: '',
    viewRule: '',
    createRule: '@request.context = "batch"',
    fields: [{ name: 'note', type: 'text' }],
  },
  {
    name: 'mine',
    type: 'base',
    listRule: '',
    viewRule: '',
    createRule: '@request.auth.id != ""',
    fields: [{ name: 'note', type: 'text' }],
  },
  {
    name: 'hdr',
    type: 'base',
    listRule: '',
    viewRule: '',
    createRule: '@request.headers.x_token = "abc" && @request.method = "POST"',
    fields: [{ name: 'note', type: 'text' }],
  },
];

export const batchSuccessScenarios: Scenario[] = [
  {
    name: 'a batch answers 200 with one {status, body} per item, in order',
    method: 'POST',
    url: B,
    body: {
      requests: [
        { method: 'POST', url: R('posts'), body: { id: 'batchpost000001', title: 'From batch' } },
        { method: 'PATCH', url: R('posts', `/${ids.post1}`), body: { 'views+': 1 } },
        { method: 'PUT', url: R('posts'), body: { id: ids.post2, title: 'Upserted' } },
        { method: 'PUT', url: R('posts'), body: { id: 'batchpost000002', title: 'Upsert new' } },
        { method: 'DELETE', url: R('drafts', `/${ids.draft1}`) },
      ],
    },
    status: 200,
    json: (b) => {
      assert.ok(Array.isArray(b));
      assert.deepEqual(
        b.map((r: any) => r.status),
        [200, 200, 200, 200, 204],
      );
      assert.equal(b[0].body.id, 'batchpost000001');
      assert.equal(b[1].body.views, 11);
      assert.equal(b[2].body.title, 'Upserted');
      assert.equal(b[2].body.views, 3, 'upsert of an existing record is an update, not a replace');
      assert.equal(b[3].body.id, 'batchpost000002');
      assert.equal(b[4].body, null);
    },
    after: counts({ posts: 5, drafts: 1 }),
  },
  {
    name: 'later items see earlier writes (relation to a record created in the batch)',
    method: 'POST',
    url: B,
    body: {
      requests: [
        { method: 'POST', url: R('authors'), body: { id: 'authornew000001', name: 'Cy' } },
        { method: 'POST', url: `${R('posts')}?expand=author`, body: { title: 'By Cy', author: 'authornew000001' } },
        { method: 'PATCH', url: R('authors', '/authornew000001'), body: { name: 'Cyd' } },
      ],
    },
    status: 200,
    json: (b) => {
      assert.equal(b[1].body.expand.author.name, 'Cy');
      assert.equal(b[2].body.name, 'Cyd');
    },
    after: counts({ authors: 3, posts: 4 }),
  },
  {
    name: 'items can delete what an earlier item created',
    method: 'POST',
    url: B,
    body: {
      requests: [
        { method: 'POST', url: R('drafts'), body: { id: 'temporary000001', title: 'tmp', views: 0 } },
        { method: 'DELETE', url: R('drafts', '/temporary000001') },
      ],
    },
    status: 200,
    after: counts({ drafts: 2 }),
  },
  {
    name: 'fields applies per item',
    method: 'POST',
    url: B,
    body: { requests: [{ method: 'POST', url: `${R('posts')}?fields=id,title`, body: { title: 'Picked' } }] },
    status: 200,
    json: (b) => assert.deepEqual(Object.keys(b[0].body), ['id', 'title']),
  },
  {
    name: 'a delete cascades inside the batch',
    method: 'POST',
    url: B,
    body: {
      requests: [
        { method: 'DELETE', url: R('comments', `/${ids.comment3}`) },
        { method: 'DELETE', url: R('refs', `/${ids.ref1}`) },
        { method: 'DELETE', url: R('posts', `/${ids.post2}`) },
      ],
    },
    status: 200,
    after: counts({ posts: 2, comments: 2, refs: 0 }),
  },
];

export const batchFailureScenarios: Scenario[] = [
  {
    name: 'a failing item at index 2 rolls back everything and is named',
    method: 'POST',
    url: B,
    body: {
      requests: [
        { method: 'POST', url: R('posts'), body: { title: 'First ok' } },
        { method: 'DELETE', url: R('drafts', `/${ids.draft1}`) },
        { method: 'POST', url: R('posts'), body: { title: 'ab' } },
        { method: 'POST', url: R('posts'), body: { title: 'Never reached' } },
      ],
    },
    status: 400,
    dataKeys: ['requests'],
    json: (b) => {
      const response = failedAt(b, 2);
      assert.equal(response.status, 400);
      assert.deepEqual(Object.keys(response.data), ['title']);
    },
    after: counts({ posts: 3, drafts: 2 }),
  },
  {
    name: 'a missing record fails the batch with the item’s 404',
    method: 'POST',
    url: B,
    body: {
      requests: [
        { method: 'PATCH', url: R('posts', `/${ids.post1}`), body: { title: 'Changed' } },
        { method: 'PATCH', url: R('posts', '/missingmissing1'), body: { title: 'x' } },
      ],
    },
    status: 400,
    json: (b) => assert.equal(failedAt(b, 1).status, 404),
    after: async (t) =>
      assert.equal(
        (
          await t.records.view(
            'posts',
            ids.post1,
            {},
            { principal: { kind: 'superuser', id: 't' }, method: 'GET', headers: {}, query: {}, context: 'default' },
          )
        ).title,
        'Hello world',
      ),
  },
  {
    name: 'a unique violation fails the batch on PostgreSQL and SQLite alike',
    method: 'POST',
    url: B,
    body: {
      requests: [
        { method: 'POST', url: R('posts'), body: { title: 'One', slug: 'samesame' } },
        { method: 'POST', url: R('posts'), body: { title: 'Two', slug: 'samesame' } },
      ],
    },
    status: 400,
    json: (b) => assert.deepEqual(Object.keys(failedAt(b, 1).data), ['slug']),
    after: counts({ posts: 3 }),
  },
  {
    name: 'a required relation refusing a delete fails the batch',
    method: 'POST',
    url: B,
    body: { requests: [{ method: 'DELETE', url: R('posts', `/${ids.post2}`) }] },
    status: 400,
    json: (b) => assert.equal(failedAt(b, 0).status, 400),
    after: counts({ posts: 3, comments: 3 }),
  },
  {
    name: 'an unknown collection fails the batch with a 404 item',
    method: 'POST',
    url: B,
    body: { requests: [{ method: 'POST', url: R('nope'), body: {} }] },
    status: 400,
    json: (b) => assert.equal(failedAt(b, 0).status, 404),
  },
  {
    name: 'a GET item is an unknown action',
    method: 'POST',
    url: B,
    body: {
      requests: [
        { method: 'POST', url: R('posts'), body: { title: 'ok ok' } },
        { method: 'GET', url: R('posts') },
      ],
    },
    status: 400,
    json: (b) => assert.equal(failedAt(b, 1).status, 400),
    after: counts({ posts: 3 }),
  },
  {
    name: 'a PUT on a record id is an unknown action',
    method: 'POST',
    url: B,
    body: { requests: [{ method: 'PUT', url: R('posts', `/${ids.post1}`), body: { title: 'x' } }] },
    status: 400,
    json: (b) => failedAt(b, 0),
  },
  {
    name: 'a URL outside the records API is an unknown action',
    method: 'POST',
    url: B,
    body: { requests: [{ method: 'DELETE', url: '/api/collections/posts' }] },
    status: 400,
    json: (b) => failedAt(b, 0),
    after: async (t) => assert.ok(t.collections.find('posts')),
  },
  {
    name: 'an item body that is not an object fails at its index',
    method: 'POST',
    url: B,
    body: { requests: [{ method: 'POST', url: R('posts'), body: 'title=x' }] },
    status: 400,
    json: (b) => failedAt(b, 0),
  },
  {
    name: 'an item with a bad fields parameter fails at its index',
    method: 'POST',
    url: B,
    body: {
      requests: [{ method: 'POST', url: `${R('posts')}?fields=${encodeURIComponent('(x')}`, body: { title: 'ok ok' } }],
    },
    status: 400,
    json: (b) => failedAt(b, 0),
    after: counts({ posts: 3 }),
  },
];

export const batchRuleScenarios: Scenario[] = [
  {
    name: 'a guest cannot create in a locked collection inside a batch',
    method: 'POST',
    url: B,
    body: {
      requests: [
        { method: 'POST', url: R('posts'), body: { title: 'Guest post' } },
        { method: 'POST', url: R('locked'), body: { note: 'x' } },
      ],
    },
    status: 400,
    json: (b) => assert.equal(failedAt(b, 1).status, 403),
    after: counts({ posts: 3, locked: 1 }),
  },
  {
    name: 'an item’s own Authorization header is ignored',
    method: 'POST',
    url: B,
    body: {
      requests: [
        { method: 'POST', url: R('locked'), headers: { Authorization: testTokens.superuser }, body: { note: 'x' } },
      ],
    },
    status: 400,
    json: (b) => assert.equal(failedAt(b, 0).status, 403),
    after: counts({ locked: 1 }),
  },
  {
    name: 'the outer superuser may write a locked collection',
    method: 'POST',
    url: B,
    headers: asSuperuser,
    body: { requests: [{ method: 'POST', url: R('locked'), body: { note: 'x' } }] },
    status: 200,
    after: counts({ locked: 2 }),
  },
  {
    name: 'a rule reading @request.auth sees the outer user',
    method: 'POST',
    url: B,
    headers: asUser,
    body: { requests: [{ method: 'POST', url: R('mine'), body: { note: 'mine' } }] },
    status: 200,
    after: counts({ mine: 1 }),
  },
  {
    name: 'the same rule refuses an outer guest',
    method: 'POST',
    url: B,
    body: { requests: [{ method: 'POST', url: R('mine'), body: { note: 'x' } }] },
    status: 400,
    json: (b) => assert.equal(failedAt(b, 0).status, 400),
    after: counts({ mine: 0 }),
  },
  {
    name: 'a rule sees @request.context = "batch"',
    method: 'POST',
    url: B,
    body: { requests: [{ method: 'POST', url: R('ctxonly'), body: { note: 'ok' } }] },
    status: 200,
    after: counts({ ctxonly: 1 }),
  },
  {
    name: 'the same rule refuses the plain REST create',
    method: 'POST',
    url: R('ctxonly'),
    body: { note: 'no' },
    status: 400,
    after: counts({ ctxonly: 0 }),
  },
  {
    name: 'per-item headers reach @request.headers',
    method: 'POST',
    url: B,
    body: { requests: [{ method: 'POST', url: R('hdr'), headers: { 'X-Token': 'abc' }, body: { note: 'ok' } }] },
    status: 200,
    after: counts({ hdr: 1 }),
  },
  {
    name: 'the batch request’s own headers reach an item’s @request.headers',
    method: 'POST',
    url: B,
    headers: { 'X-Token': 'abc' },
    body: { requests: [{ method: 'POST', url: R('hdr'), body: { note: 'outer' } }] },
    status: 200,
    after: counts({ hdr: 1 }),
  },
  {
    name: 'an item’s header overrides the batch request’s',
    method: 'POST',
    url: B,
    headers: { 'X-Token': 'abc' },
    body: { requests: [{ method: 'POST', url: R('hdr'), headers: { 'x-token': 'wrong' }, body: { note: 'no' } }] },
    status: 400,
    after: counts({ hdr: 0 }),
  },
  {
    name: 'an item without the header is refused',
    method: 'POST',
    url: B,
    body: { requests: [{ method: 'POST', url: R('hdr'), body: { note: 'no' } }] },
    status: 400,
    json: (b) => failedAt(b, 0),
    after: counts({ hdr: 0 }),
  },
  {
    name: 'update rules apply per item',
    method: 'POST',
    url: B,
    body: { requests: [{ method: 'PATCH', url: R('drafts', `/${ids.draft1}`), body: { title: 'x' } }] },
    status: 400,
    json: (b) => assert.equal(failedAt(b, 0).status, 404),
  },
];

export const batchLimitScenarios: Scenario[] = [
  {
    name: 'more items than maxRequests is a 400 on requests',
    method: 'POST',
    url: B,
    before: async (t) => {
      await t.settings.update({ batch: { maxRequests: 2 } });
    },
    body: { requests: [1, 2, 3].map((n) => ({ method: 'POST', url: R('posts'), body: { title: `Post ${n}` } })) },
    status: 400,
    dataKeys: ['requests'],
    json: (b) => {
      assert.equal(b.code, 'BATCH_INVALID');
      assert.equal(b.data.requests.code, 'validation_length_too_long');
    },
    after: counts({ posts: 3 }),
  },
  {
    name: 'exactly maxRequests items is fine',
    method: 'POST',
    url: B,
    before: async (t) => {
      await t.settings.update({ batch: { maxRequests: 2 } });
    },
    body: { requests: [1, 2].map((n) => ({ method: 'POST', url: R('posts'), body: { title: `Post ${n}` } })) },
    status: 200,
    after: counts({ posts: 5 }),
  },
  {
    name: 'a disabled batch is a 403',
    method: 'POST',
    url: B,
    headers: asSuperuser,
    before: async (t) => {
      await t.settings.update({ batch: { enabled: false } });
    },
    body: { requests: [{ method: 'POST', url: R('posts'), body: { title: 'Nope nope' } }] },
    status: 403,
    json: (b) => assert.equal(b.code, 'BATCH_DISABLED'),
    after: counts({ posts: 3 }),
  },
  {
    name: 'a body over maxBodySize is a 413',
    method: 'POST',
    url: B,
    before: async (t) => {
      await t.settings.update({ batch: { maxBodySize: 300 } });
    },
    body: { requests: [{ method: 'POST', url: R('posts'), body: { title: 'x'.repeat(400) } }] },
    status: 413,
    after: counts({ posts: 3 }),
  },
  {
    name: 'a body over the general limit but under the batch limit is accepted',
    method: 'POST',
    url: B,
    body: {
      requests: Array.from({ length: 10 }, (_, n) => ({
        method: 'POST',
        url: R('posts'),
        body: { title: `Big ${n}`, body: 'x'.repeat(4000) },
      })),
    },
    status: 200,
    after: counts({ posts: 13 }),
  },
];

export const batchMalformedScenarios: Scenario[] = [
  {
    name: 'a body without requests is a 400 on requests',
    method: 'POST',
    url: B,
    body: {},
    status: 400,
    dataKeys: ['requests'],
  },
  {
    name: 'requests that is not a list is a 400',
    method: 'POST',
    url: B,
    body: { requests: 'all' },
    status: 400,
    dataKeys: ['requests'],
  },
  {
    name: 'an empty request list is a 400',
    method: 'POST',
    url: B,
    body: { requests: [] },
    status: 400,
    dataKeys: ['requests'],
  },
  {
    name: 'an item without method or url is named by index',
    method: 'POST',
    url: B,
    body: { requests: [{ method: 'POST', url: R('posts') }, { body: {} }] },
    status: 400,
    dataKeys: ['requests'],
    json: (b) => {
      assert.equal(b.code, 'BATCH_INVALID');
      assert.deepEqual(Object.keys(b.data.requests), ['1']);
      assert.deepEqual(Object.keys(b.data.requests[1]).sort(), ['method', 'url']);
    },
    after: counts({ posts: 3 }),
  },
  {
    name: 'an item that is not an object is a 400',
    method: 'POST',
    url: B,
    body: { requests: ['POST /x'] },
    status: 400,
    dataKeys: ['requests'],
  },
  {
    name: 'item headers that are not strings are a 400',
    method: 'POST',
    url: B,
    body: { requests: [{ method: 'POST', url: R('posts'), headers: { 'x-a': 1 } }] },
    status: 400,
    dataKeys: ['requests'],
  },
  { name: 'an array body is a 400', method: 'POST', url: B, body: [{ method: 'POST', url: R('posts') }], status: 400 },
  {
    name: 'malformed JSON is a 400',
    method: 'POST',
    url: B,
    headers: { 'content-type': 'application/json' },
    payload: '{"requests": [',
    status: 400,
  },
  { name: 'no body at all is a 400', method: 'POST', url: B, status: 400 },
  {
    name: 'multipart @jsonPayload parts are merged in order',
    method: 'POST',
    url: B,
    headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
    payload: multipart('XyZ', [
      [
        '@jsonPayload',
        JSON.stringify({ requests: [{ method: 'POST', url: R('posts'), body: { title: 'First part' } }] }),
      ],
      ['other', 'ignored'],
      [
        '@jsonPayload',
        JSON.stringify({ requests: [{ method: 'POST', url: R('posts'), body: { title: 'Second part' } }] }),
      ],
    ]),
    status: 200,
    json: (b) => {
      assert.equal(b.length, 1);
      assert.equal(b[0].body.title, 'Second part');
    },
    after: counts({ posts: 4 }),
  },
  {
    name: 'multipart without a boundary is a 400',
    method: 'POST',
    url: B,
    headers: { 'content-type': 'multipart/form-data' },
    payload: 'x',
    status: 400,
  },
  {
    name: 'multipart with a broken @jsonPayload is a 400',
    method: 'POST',
    url: B,
    headers: { 'content-type': 'multipart/form-data; boundary=b' },
    payload: multipart('b', [['@jsonPayload', '{"requests":']]),
    status: 400,
  },
  {
    name: 'multipart @jsonPayload with __proto__ is refused',
    method: 'POST',
    url: B,
    headers: { 'content-type': 'multipart/form-data; boundary=b' },
    payload: multipart('b', [['@jsonPayload', '{"requests":[],"__proto__":{"polluted":true}}']]),
    status: 400,
    after: async () => assert.equal(({} as any).polluted, undefined),
  },
  {
    name: 'a text/plain body is a 415',
    method: 'POST',
    url: B,
    headers: { 'content-type': 'text/plain' },
    payload: 'requests',
    status: 415,
  },
];

/** Every batch API scenario. */
export const batchApiScenarios: Scenario[] = [
  ...batchSuccessScenarios,
  ...batchFailureScenarios,
  ...batchRuleScenarios,
  ...batchLimitScenarios,
  ...batchMalformedScenarios,
];
