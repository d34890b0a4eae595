/**
 * The input bounds scenario table: what every transport refuses before doing work
 * proportional to a hostile input. Batch item URLs that are not paths under `/api/`;
 * JSON nested too deep, in every body and in json fields.
 */
import assert from 'node:assert/strict';
import { ident, sql } from '@tandem/core';
import type { Scenario } from '../testing/scenario.js';
import type { TestApp } from '../testing/test-app.js';

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
  method: 'POST', url: B,
  body: { requests: [{ method: 'POST', url: R('posts'), body: { title: 'Kept back' } }, { method: 'POST', url, body: { title: 'Nowhere' } }] },
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
const multipartPayload = (json: string) => `--b\r\nContent-Disposition: form-data; name="@jsonPayload"\r\n\r\n${json}\r\n--b--\r\n`;
const tooDeep = (b: any) => assert.equal(b.code, 'JSON_TOO_DEEP', JSON.stringify(b).slice(0, 300));
const fieldCode = (field: string, code: string) => (b: any) => assert.equal(b.data[field]?.code, code, JSON.stringify(b).slice(0, 300));

export const jsonDepthScenarios: Scenario[] = [
  { name: 'a create whose json field nests 10,000 deep is a 400 JSON_TOO_DEEP', method: 'POST', url: R('posts'), headers: JSON_HEADERS,
    payload: `{"title":"Deep","meta":${DEEP}}`, status: 400, json: tooDeep, after: rowsIn('posts', 3) },
  { name: 'an update whose json field nests 10,000 deep is a 400 JSON_TOO_DEEP', method: 'PATCH', url: R('posts', '/post00000000001'), headers: JSON_HEADERS,
    payload: `{"meta":${DEEP}}`, status: 400, json: tooDeep },
  { name: 'a batch whose item nests 10,000 deep is a 400 JSON_TOO_DEEP', method: 'POST', url: B, headers: JSON_HEADERS,
    payload: `{"requests":[{"method":"POST","url":"${R('posts')}","body":{"title":"Deep","meta":${DEEP}}}]}`, status: 400, json: tooDeep, after: rowsIn('posts', 3) },
  { name: 'a multipart batch payload that nests 10,000 deep is a 400 JSON_TOO_DEEP', method: 'POST', url: B, headers: { 'content-type': 'multipart/form-data; boundary=b' },
    payload: multipartPayload(`{"requests":${DEEP}}`), status: 400, json: tooDeep },
  { name: 'any JSON body nesting 10,000 deep is a 400 JSON_TOO_DEEP (auth)', method: 'POST', url: '/api/collections/users/auth-with-password', headers: JSON_HEADERS,
    payload: `{"identity":${DEEP},"password":"x"}`, status: 400, json: tooDeep },
  { name: 'a json field value nested 32 levels deep is stored', method: 'POST', url: R('posts'), headers: JSON_HEADERS,
    payload: `{"title":"Deep enough","meta":${nestedArraysJson(32)}}`, status: 200, after: rowsIn('posts', 4) },
  { name: 'a json field value nested 33 levels deep is a field error', method: 'POST', url: R('posts'), headers: JSON_HEADERS,
    payload: `{"title":"Too deep","meta":${nestedArraysJson(33)}}`, status: 400, json: fieldCode('meta', 'validation_json_too_deep'), after: rowsIn('posts', 3) },
];

/** Every input bounds scenario. */
export const inputBoundsScenarios: Scenario[] = [...batchItemUrlScenarios, ...jsonDepthScenarios];
