import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LogStore } from '@tandem/core';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { silentLogger, type Logger } from './log.js';

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

describe('the request log of requests the router refuses', () => {
  it('writes their line and stores their entry, as for any other request', async () => {
    const lines: Array<[string, string, number]> = [];
    const logger: Logger = {
      ...silentLogger,
      request: (_id, method, url, status) => lines.push([method, url, status]),
    };
    const t = await createTestApp('sqlite', { logRequests: true, storeRequestLog: true, logger });
    try {
      const long = `/api/collections/users/records/${'a'.repeat(1500)}`;
      const bad = '/api/collections/users/records/%E0%A4%A';
      for (const url of [long, bad]) assert.equal((await t.app.inject({ method: 'GET', url })).statusCode, 400);
      assert.deepEqual(lines, [
        ['GET', long, 400],
        ['GET', bad, 400],
      ]);
      await t.logs.flush();
      // Entries of one millisecond have no order among them: compare them sorted.
      const stored = await new LogStore(t.store).list({});
      assert.deepEqual(
        stored.items.map((entry) => [entry.data.url, entry.data.status, entry.level]).sort(),
        [
          [long, 400, 8],
          [bad, 400, 8],
        ].sort(),
      );
    } finally {
      await t.cleanup();
    }
  });
});
