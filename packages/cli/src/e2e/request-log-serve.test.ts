/**
 * The stored request log of `tandem serve`, written by its worker thread into `logs.db`
 * on SQLite and by the server into the data's database on PostgreSQL: superusers read entries through `/api/logs` within the writer's batch time,
 * and the last requests before a graceful stop are in the file after the process ends.
 * By default no request is printed on stdout: the stored entry is the request's record.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import PocketBase from 'pocketbase';
import { LOG_ROWS_FUNCTION, registerLogFunctions } from '@tandem/core';
import { postgresSkipReason } from '@tandem/core/testing';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';

const LAST_ENTRIES = `SELECT COUNT(*) AS "n" FROM "_logs_segments", json_each(${LOG_ROWS_FUNCTION}("rows")) WHERE "value" ->> '$[3].url' LIKE '/api/health?last=%'`;
const LAST_ENTRIES_PG = `SELECT COUNT(*) AS "n" FROM "_logs_segments", jsonb_array_elements("rows") AS "r"
  WHERE "r" -> 3 ->> 'url' LIKE '/api/health?last=%'`;

/** How many of the last requests are stored, read from the database once the server ended. */
async function lastStored(dialect: string, fixture: ServeFixture): Promise<number> {
  if (dialect === 'postgres') {
    const client = new pg.Client({ connectionString: fixture.dbUrl });
    await client.connect();
    try {
      return Number((await client.query<{ n: string }>(LAST_ENTRIES_PG)).rows[0]!.n);
    } finally {
      await client.end();
    }
  }
  const db = new Database(join(fixture.dir, 'logs.db'), { readonly: true });
  registerLogFunctions(db);
  try {
    return Number(db.prepare(LAST_ENTRIES).pluck().get());
  } finally {
    db.close();
  }
}

for (const dialect of ['sqlite', 'postgres'])
  describe(`the request log of tandem serve on ${dialect}`, {
    skip: dialect === 'postgres' ? postgresSkipReason : undefined,
  }, () => {
    let fixture: ServeFixture;
    before(async () => {
      fixture = await startServeFixture(dialect, { superuser: true, requestLog: true });
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

      // Requests answered just before SIGTERM are stored once the process has ended.
      await Promise.all(Array.from({ length: 10 }, (_, i) => fetch(`${fixture.server.url}/api/health?last=${i}`)));
      assert.equal(await fixture.server.stop(), 0);
      assert.doesNotMatch(fixture.server.output(), /"msg":"request"/, 'no request line unless asked (--request-lines)');
      assert.equal(await lastStored(dialect, fixture), 10);
    });
  });
