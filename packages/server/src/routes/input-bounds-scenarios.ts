/**
 * The input bounds scenario table: what every transport refuses before doing work
 * proportional to a hostile input. Batch item URLs that are not paths under `/api/`.
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

/** Every input bounds scenario. */
export const inputBoundsScenarios: Scenario[] = [...batchItemUrlScenarios];
