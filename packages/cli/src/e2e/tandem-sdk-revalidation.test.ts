import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, type TandemClient } from '@tandem/sdk';
import { testDialects } from '@tandem/core/testing';
import { blogRecords, ids } from '@tandem/server/testing';
import { startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';

/** A fetch that records each GET's If-None-Match and the status it got. */
function recordingFetch(log: Array<{ url: string; ifNoneMatch: string | null; status: number }>): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if ((init?.method ?? 'GET') === 'GET')
      log.push({
        url: String(input),
        ifNoneMatch: new Headers(init?.headers).get('if-none-match'),
        status: response.status,
      });
    return response;
  };
}

for (const { name: dialect, skip } of testDialects) {
  describe(`@tandem/sdk revalidation against tandem serve on ${dialect}`, { skip }, () => {
    let fixture: ServeFixture;
    let client: TandemClient;
    const log: Array<{ url: string; ifNoneMatch: string | null; status: number }> = [];

    before(async () => {
      fixture = await startServeFixture(dialect, { blog: true });
      client = createClient(fixture.server.url, { fetch: recordingFetch(log) });
      for (const [collection, record] of blogRecords()) {
        if (collection !== 'locked' && collection !== 'drafts') await client.collection(collection).create(record);
      }
    });

    after(async () => {
      client?.close();
      await fixture?.dispose();
    });

    it('sends If-None-Match on the second GET, gets a 304 and returns the same data', async () => {
      log.length = 0;
      const first = await client.collection('posts').get(ids.post1);
      const second = await client.collection('posts').get(ids.post1);
      assert.deepEqual(second, first);
      assert.deepEqual(
        log.map((entry) => [entry.status, entry.ifNoneMatch !== null]),
        [
          [200, false],
          [304, true],
        ],
      );
      second.title = 'changed locally';
      assert.notEqual(
        (await client.collection('posts').get(ids.post1)).title,
        'changed locally',
        'each call gets its own copy',
      );
    });

    it('gets a 200 with the new data after a write', async () => {
      const page = await client.collection('posts').list(1, 10, { sort: 'title' });
      await client.collection('posts').update(ids.post1, { title: 'Revalidated' });
      log.length = 0;
      const fresh = await client.collection('posts').get(ids.post1);
      const freshPage = await client.collection('posts').list(1, 10, { sort: 'title' });
      assert.equal(fresh.title, 'Revalidated');
      assert.notDeepEqual(freshPage, page);
      assert.deepEqual(
        log.map((entry) => [entry.status, entry.ifNoneMatch !== null]),
        [
          [200, true],
          [200, true],
        ],
      );
    });

    it('keeps no copy when turned off', async () => {
      const plain = createClient(fixture.server.url, { fetch: recordingFetch(log), httpCache: false });
      log.length = 0;
      await plain.collection('posts').get(ids.post2);
      await plain.collection('posts').get(ids.post2);
      assert.deepEqual(
        log.map((entry) => entry.status),
        [200, 200],
      );
      plain.close();
    });
  });
}
