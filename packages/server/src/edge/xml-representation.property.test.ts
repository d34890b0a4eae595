import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testDialects } from '@tandem/core/testing';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { resetBlog } from '../testing/blog-reset.fixture.js';
import { parseXmlDocument } from '../xml/xml-document.js';
import { toXmlDocument } from '../xml/xml-writer.js';

const RUNS = Number(process.env.RUNS ?? 40);
const seed = Number(process.env.SEED ?? Date.now() % 2 ** 31);
console.log(`xml representation properties: seed=${seed} runs=${RUNS} (rerun with SEED=${seed})`);

const POSTS = '/api/collections/posts/records';
// What a json field stores on both databases: JSON's own values (no -0), keys that are
// not prototype keys, text with neither NUL nor lone surrogates (both refused for JSON too).
const storable = fc
  .jsonValue({
    maxDepth: 4,
    stringUnit: fc.oneof(
      fc.constantFrom('<', '&', '\r', '\t', ' ', 'é', '\u0001', '\u{1F600}'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
  })
  .map((value) => JSON.parse(JSON.stringify(value)) as unknown)
  .filter((value) => !JSON.stringify(value).includes('__proto__') && !/\\u0000/.test(JSON.stringify(value)));

for (const { name: dialect, skip } of testDialects) {
  describe(`XML bodies and answers of a json field on ${dialect}`, { skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect);
      await resetBlog(t);
    });
    after(async () => t.cleanup());

    it('store what the XML says, and answer it back in XML and in JSON', async () => {
      await fc.assert(
        fc.asyncProperty(storable, async (meta) => {
          const body = toXmlDocument({ title: 'XML round trip', meta }, 'record');
          const created = await t.app.inject({
            method: 'POST',
            url: POSTS,
            headers: { 'content-type': 'application/xml' },
            payload: body,
          });
          assert.equal(created.statusCode, 200, created.body);
          const id = JSON.parse(created.body).id as string;
          const json = await t.app.inject({ method: 'GET', url: `${POSTS}/${id}` });
          assert.deepStrictEqual(JSON.parse(json.body).meta, meta);
          const xml = await t.app.inject({
            method: 'GET',
            url: `${POSTS}/${id}`,
            headers: { accept: 'application/xml' },
          });
          const read = parseXmlDocument(xml.rawPayload, Number.POSITIVE_INFINITY) as { meta: unknown };
          assert.deepStrictEqual(read.meta, meta);
        }),
        { numRuns: RUNS, seed },
      );
    });
  });
}
