/**
 * The request log's worker on a SQLite server: batches land in `logs.db` through the
 * worker's own connection, a failed write rejects (and the writer counts it dropped), and
 * a worker that died is replaced at the next batch.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { entriesOf, LogStore, LogWriter, type RequestLogBatch } from '@tandem/core';
import { BatchEncoder } from '@tandem/core/log-batch';
import { createTempDir, guestRequestLogInput } from '@tandem/core/testing';
import { openLogsStore } from './open-store.js';
import { createSqliteLogSink } from './sqlite-log-sink.js';

const request = (url: string) => guestRequestLogInput(url, { userAgent: 'test' });

/** A batch as the LogWriter hands it over, from the writer's own encoder. */
function batchOf(urls: string[], time = Date.now()): RequestLogBatch {
  const encoder = new BatchEncoder();
  for (const url of urls) encoder.append(time, request(url), { ip: false, authId: false });
  return encoder.take();
}

const settings = () => ({ maxDays: 5, minLevel: 0, logIP: false, logAuthId: false });

describe('the SQLite request log sink', () => {
  let dir: { path: string; remove(): Promise<void> };
  before(async () => {
    dir = await createTempDir();
  });
  after(() => dir.remove());

  async function logsIn(name: string) {
    const store = openLogsStore({ db: join(dir.path, name, 'data.db') })!;
    const logs = new LogStore(store);
    await logs.ensureSchema();
    return { store, logs, file: join(dir.path, name, 'logs.db') };
  }

  it('writes batches into the log file, readable by the server at once, and deletes old entries', async () => {
    const { store, logs, file } = await logsIn('writes');
    const sink = createSqliteLogSink(file);
    try {
      await sink.write(batchOf(['/a', '/b']));
      await sink.write(batchOf(['/c'], Date.UTC(2001, 0, 1)));
      const page = await logs.list({ sort: 'created' });
      assert.deepEqual(
        page.items.map((e) => e.data.url),
        ['/c', '/a', '/b'],
      );
      assert.equal(page.items[1]!.message, 'GET /a');
      assert.equal(await sink.deleteBefore('2002-01-01 00:00:00.000Z'), 1);
      assert.equal((await logs.list({})).totalItems, 2);
    } finally {
      await sink.close();
      await store.close();
    }
  });

  it('stores every entry of a batch that fills several multi-row inserts and leaves a remainder', async () => {
    const { store, logs, file } = await logsIn('many');
    const sink = createSqliteLogSink(file);
    try {
      // 123 = two inserts of 50 rows and 23 rows one by one.
      const urls = Array.from({ length: 123 }, (_, i) => `/r/${String(i).padStart(3, '0')}`);
      await sink.write(batchOf(urls));
      const page = await logs.list({ sort: 'data.url', perPage: '500' });
      assert.equal(page.totalItems, 123);
      assert.deepEqual(
        page.items.map((e) => e.data.url),
        urls,
      );
      assert.equal(new Set(page.items.map((e) => e.id)).size, 123);
    } finally {
      await sink.close();
      await store.close();
    }
  });
  it("stores message and data as text, the entry's message and its data as JSON, whatever a request carried", async () => {
    const { store, file } = await logsIn('texts');
    const sink = createSqliteLogSink(file);
    try {
      const texts = ['/"quoted"\\', '/\u0000\n\t', '/été', '/✓ 😀', '/\u2028', '/\ud800'];
      const encoder = new BatchEncoder();
      for (const text of texts) encoder.append(Date.now(), request(text), { ip: true, authId: false });
      const batch = encoder.take();
      const expected = entriesOf(structuredClone(batch)).map((e): [string, string] => [
        e.message,
        JSON.stringify(e.data),
      ]);
      await sink.write(batch);
      const db = new Database(file, { readonly: true });
      const rows = db
        .prepare(
          'SELECT "message", "data", typeof("message") AS "m", typeof("data") AS "d" FROM "_logs" ORDER BY rowid',
        )
        .all() as Array<{ message: string; data: string; m: string; d: string }>;
      db.close();
      assert.deepEqual(
        rows.map((row) => [row.m, row.d]),
        texts.map(() => ['text', 'text']),
      );
      // A lone surrogate cannot be UTF-8: the message keeps U+FFFD in its place, as any
      // UTF-8 text would; the data has it escaped, as JSON.stringify writes it.
      const stored = expected.map(([message, data]) => [message.replace(/\ud800/, '\ufffd'), data]);
      assert.deepEqual(
        rows.map((row) => [row.message, row.data]),
        stored,
      );
    } finally {
      await sink.close();
      await store.close();
    }
  });

  it('rejects a write that fails, and goes on with the next', async () => {
    const file = join(dir.path, 'no-table.db');
    new Database(file).close(); // a database without the log's table
    const sink = createSqliteLogSink(file);
    try {
      await assert.rejects(sink.write(batchOf(['/lost'])), /request log: no such table: _logs/);
      const db = new Database(file);
      db.exec('CREATE TABLE "_logs" (id TEXT PRIMARY KEY, created TEXT, level INTEGER, message TEXT, data JSON)');
      await sink.write(batchOf(['/kept']));
      assert.deepEqual(db.prepare('SELECT message FROM "_logs"').pluck().all(), ['GET /kept']);
      db.close();
    } finally {
      await sink.close();
    }
  });

  it('replaces a worker that could not start at the next batch', async () => {
    const { store, file } = await logsIn('restart');
    await store.close();
    rmSync(file); // the worker opens only an existing file: this one dies at start
    const sink = createSqliteLogSink(file);
    try {
      await assert.rejects(sink.write(batchOf(['/lost'])), /request log writer/);
      const again = await logsIn('restart');
      await sink.write(batchOf(['/kept']));
      assert.deepEqual(
        (await again.logs.list({})).items.map((e) => e.data.url),
        ['/kept'],
      );
      await again.store.close();
    } finally {
      await sink.close();
    }
  });

  it('under a LogWriter: stop writes every queued entry, then ends the worker', async () => {
    const { store, logs, file } = await logsIn('writer');
    const writer = new LogWriter(createSqliteLogSink(file), { settings, maxBatch: 100 });
    for (let i = 0; i < 1_000; i += 1) writer.logRequest(request(`/n/${i}`));
    await writer.stop();
    assert.equal(writer.dropped, 0);
    assert.equal((await logs.list({ skipTotal: '0' })).totalItems, 1_000);
    await store.close();
  });

  it('under a LogWriter: drops and counts entries past its byte bound, and takes them again once written', async () => {
    const { store, logs, file } = await logsIn('bytes');
    const writer = new LogWriter(createSqliteLogSink(file), { settings, maxQueuedBytes: 128 * 1024 });
    const long = `/${'x'.repeat(16 * 1024)}`; // a little over 16 KiB each, encoded
    for (let i = 0; i < 20; i += 1) writer.logRequest(request(`${long}/${i}`));
    assert.equal(writer.dropped, 12, 'eight are taken until 128 KiB are queued, the rest are dropped');
    await writer.flush();
    writer.logRequest(request('/after'));
    await writer.stop();
    assert.equal(writer.dropped, 12);
    // Entries of one millisecond have no order among them: compare the set.
    const urls = (await logs.list({ perPage: '50' })).items.map((e) => String(e.data.url));
    assert.deepEqual(urls.map((url) => (url.startsWith(long) ? url.slice(long.length) : url)).sort(), [
      '/0',
      '/1',
      '/2',
      '/3',
      '/4',
      '/5',
      '/6',
      '/7',
      '/after',
    ]);
    await store.close();
  });
});
