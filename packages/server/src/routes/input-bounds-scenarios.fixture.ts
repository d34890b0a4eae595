/**
 * The input bounds scenario table: what every transport refuses before doing work
 * proportional to a hostile input. Batch item URLs that are not paths under `/api/`;
 * JSON nested too deep, in every body and in json fields; NUL characters and lone
 * surrogates, which SQLite stores and PostgreSQL refuses, refused alike on both; field
 * ceilings; body limits per caller, for single requests and batches (per item, in total).
 */
import assert from 'node:assert/strict';
import { ident, sql } from '@tandem/core';
import type { Scenario } from '../testing/scenario.fixture.js';
import type { TestApp } from '../testing/test-app.fixture.js';
import { asSuperuser, asUser } from '../testing/test-principals.fixture.js';
import { defaultBodyLimits } from '../edge/body-limits.js';

const B = '/api/batch';
const R = (collection: string, rest = '') => `/api/collections/${collection}/records${rest}`;

/** Asserts that `table` still holds `n` rows (nothing of a refused request was kept). */
export const rowsIn = (table: string, n: number) => async (t: TestApp) => {
  const row = await t.store.first<{ n: unknown }>(sql`SELECT COUNT(*) AS "n" FROM ${ident(table)}`);
  assert.equal(Number(row?.n), n, `rows in ${table}`);
};

/** The item response of a BATCH_FAILED body, asserting it names exactly `index`. */
export function failedItem(body: any, index: number): { status: number; message: string; data: Record<string, any> } {
  assert.equal(body.code, 'BATCH_FAILED', JSON.stringify(body));
  assert.deepEqual(Object.keys(body.data.requests), [String(index)]);
  return body.data.requests[index].response;
}

/** Item URLs that are not a path under `/api/`, or that no path can decode. */
export const foreignItemUrls = [
  '//',
  '//evil.example/api/collections/posts/records',
  'https://evil.example/api/collections/posts/records',
  'api/collections/posts/records',
  '/apix/collections/posts/records',
  '/api/collections/%E0%A4%A/records',
] as const;

export const batchItemUrlScenarios: Scenario[] = foreignItemUrls.map((url) => ({
  name: `a batch item with url ${JSON.stringify(url)} is a 400 for that item`,
  method: 'POST',
  url: B,
  body: {
    requests: [
      { method: 'POST', url: R('posts'), body: { title: 'Kept back' } },
      { method: 'POST', url, body: { title: 'Nowhere' } },
    ],
  },
  status: 400,
  json: (b) => assert.equal(failedItem(b, 1).status, 400),
  after: rowsIn('posts', 3),
}));

/** JSON text of `depth` nested arrays around `1`. */
export function nestedArraysJson(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const DEEP = nestedArraysJson(10_000);
/** A multipart/form-data body with one `@jsonPayload` part. */
const multipartPayload = (json: string) =>
  `--b\r\nContent-Disposition: form-data; name="@jsonPayload"\r\n\r\n${json}\r\n--b--\r\n`;
const tooDeep = (b: any) => assert.equal(b.code, 'JSON_TOO_DEEP', JSON.stringify(b).slice(0, 300));
const fieldCode = (field: string, code: string) => (b: any) =>
  assert.equal(b.data[field]?.code, code, JSON.stringify(b).slice(0, 300));

export const jsonDepthScenarios: Scenario[] = [
  {
    name: 'a create whose json field nests 10,000 deep is a 400 JSON_TOO_DEEP',
    method: 'POST',
    url: R('posts'),
    headers: JSON_HEADERS,
    payload: `{"title":"Deep","meta":${DEEP}}`,
    status: 400,
    json: tooDeep,
    after: rowsIn('posts', 3),
  },
  {
    name: 'an update whose json field nests 10,000 deep is a 400 JSON_TOO_DEEP',
    method: 'PATCH',
    url: R('posts', '/post00000000001'),
    headers: JSON_HEADERS,
    payload: `{"meta":${DEEP}}`,
    status: 400,
    json: tooDeep,
  },
  {
    name: 'a batch whose item nests 10,000 deep is a 400 JSON_TOO_DEEP',
    method: 'POST',
    url: B,
    headers: JSON_HEADERS,
    payload: `{"requests":[{"method":"POST","url":"${R('posts')}","body":{"title":"Deep","meta":${DEEP}}}]}`,
    status: 400,
    json: tooDeep,
    after: rowsIn('posts', 3),
  },
  {
    name: 'a multipart batch payload that nests 10,000 deep is a 400 JSON_TOO_DEEP',
    method: 'POST',
    url: B,
    headers: { 'content-type': 'multipart/form-data; boundary=b' },
    payload: multipartPayload(`{"requests":${DEEP}}`),
    status: 400,
    json: tooDeep,
  },
  {
    name: 'any JSON body nesting 10,000 deep is a 400 JSON_TOO_DEEP (auth)',
    method: 'POST',
    url: '/api/collections/users/auth-with-password',
    headers: JSON_HEADERS,
    payload: `{"identity":${DEEP},"password":"x"}`,
    status: 400,
    json: tooDeep,
  },
  {
    name: 'a json field value nested 32 levels deep is stored',
    method: 'POST',
    url: R('posts'),
    headers: JSON_HEADERS,
    payload: `{"title":"Deep enough","meta":${nestedArraysJson(32)}}`,
    status: 200,
    after: rowsIn('posts', 4),
  },
  {
    name: 'a json field value nested 33 levels deep is a field error',
    method: 'POST',
    url: R('posts'),
    headers: JSON_HEADERS,
    payload: `{"title":"Too deep","meta":${nestedArraysJson(33)}}`,
    status: 400,
    json: fieldCode('meta', 'validation_json_too_deep'),
    after: rowsIn('posts', 3),
  },
];

const textInvalid = (field: string, path: string) => (b: any) => {
  assert.equal(b.code, 'JSON_TEXT_INVALID', JSON.stringify(b));
  assert.deepEqual(Object.keys(b.data), [field]);
  assert.equal(b.data[field].code, 'validation_invalid_text');
  assert.equal(b.data[field].params.path, path);
};

export const uncleanTextScenarios: Scenario[] = [
  {
    name: 'a NUL character in a text field is a 400 naming the field, on both databases',
    method: 'POST',
    url: R('posts'),
    body: { title: 'a\u0000b' },
    status: 400,
    json: textInvalid('title', 'title'),
    after: rowsIn('posts', 3),
  },
  {
    name: 'a lone high surrogate in a text field is a 400 naming the field',
    method: 'POST',
    url: R('posts'),
    body: { title: 'ok title', body: 'x\uD800' },
    status: 400,
    json: textInvalid('body', 'body'),
    after: rowsIn('posts', 3),
  },
  {
    name: 'a lone low surrogate is a 400 too',
    method: 'POST',
    url: R('posts'),
    body: { title: '\uDC00 title' },
    status: 400,
    json: textInvalid('title', 'title'),
  },
  {
    name: 'a NUL inside a json field value names the field and the path',
    method: 'POST',
    url: R('posts'),
    body: { title: 'ok title', meta: { list: ['fine', 'a\u0000'] } },
    status: 400,
    json: textInvalid('meta', 'meta.list.1'),
    after: rowsIn('posts', 3),
  },
  {
    name: 'a lone surrogate in a json key is a 400',
    method: 'POST',
    url: R('posts'),
    body: { title: 'ok title', meta: { 'k\uD83D': 1 } },
    status: 400,
    json: textInvalid('meta', 'meta'),
  },
  {
    name: 'an update with a NUL is a 400 and changes nothing',
    method: 'PATCH',
    url: R('posts', '/post00000000001'),
    body: { title: 'Changed\u0000' },
    status: 400,
    json: textInvalid('title', 'title'),
    after: async (t) =>
      assert.equal(
        (await t.store.first<{ title: string }>(sql`SELECT "title" FROM "posts" WHERE "id" = 'post00000000001'`))
          ?.title,
        'Hello world',
      ),
  },
  {
    name: 'a NUL in a batch item body is a 400 naming its path',
    method: 'POST',
    url: B,
    body: { requests: [{ method: 'POST', url: R('posts'), body: { title: 'a\u0000b' } }] },
    status: 400,
    json: textInvalid('requests', 'requests.0.body.title'),
    after: rowsIn('posts', 3),
  },
  {
    name: 'a NUL in any JSON body is a 400 (auth identity)',
    method: 'POST',
    url: '/api/collections/users/auth-with-password',
    body: { identity: 'a\u0000@example.com', password: 'long enough 123' },
    status: 400,
    json: textInvalid('identity', 'identity'),
  },
  {
    name: 'characters outside the BMP (surrogate pairs) are stored',
    method: 'POST',
    url: R('posts'),
    body: { title: 'emoji 😀 title', meta: { '😀': '😀' } },
    status: 200,
    json: (b) => {
      assert.equal(b.title, 'emoji 😀 title');
      assert.deepEqual(b.meta, { '😀': '😀' });
    },
    after: rowsIn('posts', 4),
  },
  {
    name: 'a NUL percent-encoded in a URL is a 400 on both databases',
    url: R('posts', '/post0000000000%00'),
    status: 400,
    json: (b) => assert.equal(b.code, 'BAD_REQUEST'),
  },
  {
    name: 'a NUL percent-encoded in a batch item url is a 400 for that item',
    method: 'POST',
    url: B,
    body: { requests: [{ method: 'DELETE', url: R('posts', '/post0000000000%00') }] },
    status: 400,
    json: (b) => assert.equal(failedItem(b, 0).status, 400),
  },
];

export const fieldCeilingScenarios: Scenario[] = [
  {
    name: 'a guest create in a locked collection is a 403 before the body is looked at',
    method: 'POST',
    url: R('locked'),
    body: { note: 'x'.repeat(6000) },
    status: 403,
    json: (b) => assert.equal(b.code, 'SUPERUSER_ONLY'),
    after: rowsIn('locked', 1),
  },
  {
    name: 'a text past its max is refused without counting further',
    method: 'POST',
    url: R('posts'),
    headers: asSuperuser,
    body: { title: 'ok title', body: 'x'.repeat(5001) },
    status: 400,
    json: fieldCode('body', 'validation_max_text_constraint'),
  },
  {
    name: 'a select modifier listing more than 1,000 values is refused before de-duplication',
    method: 'PATCH',
    url: R('posts', '/post00000000001'),
    body: { 'tags+': Array(1001).fill('a') },
    status: 400,
    json: fieldCode('tags', 'validation_too_many_values'),
  },
  {
    name: 'a relation list of more than 1,000 ids is refused before any query',
    method: 'POST',
    url: R('posts'),
    body: { title: 'ok title', editors: Array.from({ length: 1001 }, (_, i) => `id${String(i).padStart(13, '0')}`) },
    status: 400,
    json: fieldCode('editors', 'validation_too_many_values'),
  },
];

/** A posts create body of exactly `bytes` bytes (the padding goes into `body`, an ASCII text). */
export function postOfSize(bytes: number): string {
  const base = '{"title":"ok title","body":""}';
  return `{"title":"ok title","body":"${'x'.repeat(bytes - base.length)}"}`;
}

/** A batch body of exactly `bytes` bytes, with `items` creates of (about) equal size. */
export function batchOfSize(bytes: number, items: number): string {
  const frame = (bodies: string[]) =>
    `{"requests":[${bodies.map((b) => `{"method":"POST","url":"${R('posts')}","body":${b}}`).join(',')}]}`;
  const overhead = frame(Array(items).fill('')).length;
  const each = Math.floor((bytes - overhead) / items);
  const bodies = Array.from({ length: items }, (_, i) =>
    postOfSize(i === 0 ? bytes - overhead - each * (items - 1) : each),
  );
  return frame(bodies);
}

const { guest, user } = defaultBodyLimits;
const tooLarge = (b: any) => assert.equal(b.code, 'BODY_TOO_LARGE');
/** The request was read: whatever it answers, it is not a 413. */
const readBody = (b: any) => assert.notEqual(b?.code, 'BODY_TOO_LARGE');

export const bodyLimitScenarios: Scenario[] = [
  {
    name: 'a guest body of exactly the guest limit is read',
    method: 'POST',
    url: R('posts'),
    headers: JSON_HEADERS,
    payload: postOfSize(guest.body),
    status: 400,
    json: readBody,
  },
  {
    name: 'a guest body one byte over the guest limit is a 413',
    method: 'POST',
    url: R('posts'),
    headers: JSON_HEADERS,
    payload: postOfSize(guest.body + 1),
    status: 413,
    json: tooLarge,
  },
  {
    name: 'a user may send more than a guest',
    method: 'POST',
    url: R('posts'),
    headers: { ...JSON_HEADERS, ...asUser },
    payload: postOfSize(user.body),
    status: 400,
    json: readBody,
  },
  {
    name: 'a user body one byte over the user limit is a 413',
    method: 'POST',
    url: R('posts'),
    headers: { ...JSON_HEADERS, ...asUser },
    payload: postOfSize(user.body + 1),
    status: 413,
    json: tooLarge,
  },
  {
    name: 'a superuser may send more than a user',
    method: 'POST',
    url: R('posts'),
    headers: { ...JSON_HEADERS, ...asSuperuser },
    payload: postOfSize(user.body + 1),
    status: 400,
    json: readBody,
  },
  {
    name: 'any route holds a guest to the guest limit (auth)',
    method: 'POST',
    url: '/api/collections/users/auth-with-password',
    headers: JSON_HEADERS,
    payload: `{"identity":"a@b.co","password":"${'x'.repeat(guest.body)}"}`,
    status: 413,
    json: tooLarge,
  },
  {
    name: 'a guest batch of exactly the guest batch limit is read',
    method: 'POST',
    url: B,
    headers: JSON_HEADERS,
    payload: batchOfSize(guest.batch, 4),
    status: 400,
    json: readBody,
    after: rowsIn('posts', 3),
  },
  {
    name: 'a guest batch one byte over the guest batch limit is a 413',
    method: 'POST',
    url: B,
    headers: JSON_HEADERS,
    payload: batchOfSize(guest.batch + 1, 4),
    status: 413,
    json: tooLarge,
  },
  {
    name: 'a guest batch item over the guest body limit is a 400 naming the item',
    method: 'POST',
    url: B,
    headers: JSON_HEADERS,
    payload: batchOfSize(guest.body + 1024, 1),
    status: 400,
    json: (b) => {
      assert.equal(b.code, 'BATCH_INVALID');
      assert.equal(b.data.requests[0].body.code, 'validation_body_too_large');
    },
  },
  {
    name: 'a user batch one byte over the user batch limit is a 413',
    method: 'POST',
    url: B,
    headers: { ...JSON_HEADERS, ...asUser },
    payload: batchOfSize(user.batch + 1, 4),
    status: 413,
    json: tooLarge,
  },
  {
    name: 'a guest body holding more JSON values than a guest may send is a 413 before it is parsed',
    method: 'POST',
    url: R('posts'),
    headers: JSON_HEADERS,
    payload: `{"title":"ok title","meta":[${Array(guest.values).fill(0).join(',')}]}`,
    status: 413,
    json: (b) => {
      assert.equal(b.code, 'JSON_TOO_LARGE');
      assert.equal(b.data.maxValues, guest.values);
    },
  },
  {
    name: 'a user may send more JSON values than a guest',
    method: 'POST',
    url: R('posts'),
    headers: { ...JSON_HEADERS, ...asUser },
    payload: `{"title":"ok title","meta":[${Array(guest.values).fill(0).join(',')}]}`,
    status: 400,
    json: fieldCode('meta', 'validation_json_too_many_values'),
  },
  {
    name: 'a multipart batch part holding more values than a guest may send is a 413',
    method: 'POST',
    url: B,
    headers: { 'content-type': 'multipart/form-data; boundary=b' },
    payload: multipartPayload(`{"requests":[${Array(guest.values).fill(0).join(',')}]}`),
    status: 413,
    json: (b) => assert.equal(b.code, 'JSON_TOO_LARGE'),
  },
  {
    name: 'a superuser batch over the user batch limit is read',
    method: 'POST',
    url: B,
    headers: { ...JSON_HEADERS, ...asSuperuser },
    payload: batchOfSize(user.batch + 1, 4),
    status: 400,
    json: readBody,
  },
];

/** Every input bounds scenario. */
export const inputBoundsScenarios: Scenario[] = [
  ...batchItemUrlScenarios,
  ...jsonDepthScenarios,
  ...uncleanTextScenarios,
  ...fieldCeilingScenarios,
  ...bodyLimitScenarios,
];
