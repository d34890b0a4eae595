/**
 * The stored request log of `tandem serve` on SQLite, written by its worker thread into
 * `logs.db`: superusers read entries through `/api/logs` within the writer's batch time,
 * and the last requests before a graceful stop are in the file after the process ends.
 * By default no request is printed on stdout: the stored entry is the request's record.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import PocketBase from 'pocketbase';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';

describe('the request log of tandem serve on SQLite', () => {
  let fixture: ServeFixture;
  before(async () => {
    fixture = await startServeFixture('sqlite', { superuser: true, requestLog: true });
  });
  after(() => fixture?.dispose());

  it('serves the entries its worker wrote, and writes the last ones before the process ends', async () => {
    const pb = new PocketBase(fixture.server.url);
    pb.autoCancellation(false);
    await pb.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
    for (let i = 0; i < 20; i += 1) await fetch(`${fixture.server.url}/api/health?n=${i}`);
    const deadline = Date.now() + 10_000;
    let seen = 0;
    while (Date.now() < deadline) {
      seen = (await pb.logs.getList(1, 1, { filter: 'data.url ~ "/api/health?n="' })).totalItems;
      if (seen === 20) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(seen, 20, 'every health request is listed');

    // Requests answered just before SIGTERM are in logs.db once the process has ended.
    await Promise.all(Array.from({ length: 10 }, (_, i) => fetch(`${fixture.server.url}/api/health?last=${i}`)));
    assert.equal(await fixture.server.stop(), 0);
    assert.doesNotMatch(fixture.server.output(), /"msg":"request"/, 'no request line unless asked (--request-lines)');
    const db = new Database(join(fixture.dir, 'logs.db'), { readonly: true });
    try {
      const last = db
        .prepare(
          `SELECT COUNT(*) FROM "_logs_segments", json_each("rows") WHERE "value" ->> '$[3].url' LIKE '/api/health?last=%'`,
        )
        .pluck()
        .get();
      assert.equal(last, 10);
    } finally {
      db.close();
    }
  });
});
