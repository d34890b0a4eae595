import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';

/** URLs Fastify's router refuses before any route runs answer in Tandem's error shape, without echoing the URL. */
describe('errors of the router', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp('sqlite');
  });
  after(() => t?.cleanup());

  for (const [name, url] of [
    ['a path segment over 1000 characters', `/api/collections/users/records/${'a'.repeat(5000)}`],
    ['a malformed percent-encoding', '/api/collections/users/records/%E0%A4%A'],
  ] as const) {
    it(`answers ${name} with 400 BAD_REQUEST`, async () => {
      const answer = await t.app.inject({ method: 'GET', url });
      assert.equal(answer.statusCode, 400);
      const body = answer.json() as { status: number; code: string; message: string; data: object };
      assert.equal(body.status, 400);
      assert.equal(body.code, 'BAD_REQUEST');
      assert.deepEqual(body.data, {});
      assert.ok(!answer.body.includes('/api/collections'), 'the URL is not echoed');
    });
  }
});
