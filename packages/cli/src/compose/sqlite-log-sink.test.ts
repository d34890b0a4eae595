/**
 * The request log's worker on a SQLite server: batches land in `logs.db` through the
 * worker's own connection, a failed write rejects (and the writer counts it dropped), and
 * a worker that died is replaced at the next batch.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  entriesOf,
  LOG_ROWS_FUNCTION,
  LogStore,
  LogWriter,
  registerLogFunctions,
  type RequestLogBatch,
} from '@tandem/core';
import { BatchEncoder } from '@tandem/core/log-batch';
import { LOG_SEGMENTS_TABLE, SQLITE_LOG_SEGMENTS } from '@tandem/core/log-segments';
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

  it('stores every entry of a batch as one segment', async () => {
    const { store, logs, file } = await logsIn('many');
    const sink = createSqliteLogSink(file);
    try {
      const urls = Array.from({ length: 123 }, (_, i) => `/r/${String(i).padStart(3, '0')}`);
      await sink.write(batchOf(urls));
      const page = await logs.list({ sort: 'data.url', perPage: '500' });
      assert.equal(page.totalItems, 123);
      assert.deepEqual(
        page.items.map((e) => e.data.url),
        urls,
      );
      assert.equal(new Set(page.items.map((e) => e.id)).size, 123);
      const db = new Database(file, { readonly: true });
      const segments = db.prepare(`SELECT "count", typeof("rows") AS "kind" FROM "${LOG_SEGMENTS_TABLE}"`).all();
      db.close();
      // The batch's bytes: the JSON is made when a read takes the segment apart (log-segment-blob.ts).
      assert.deepEqual(segments, [{ count: 123, kind: 'blob' }]);
    } finally {
      await sink.close();
      await store.close();
    }
  });
  it("stores an entry's message and data as entriesOf makes them, whatever a request carried", async () => {
    const { store, logs, file } = await logsIn('texts');
    const sink = createSqliteLogSink(file);
    try {
      const texts = ['/"quoted"\\', '/\u0000\n\t', '/été', '/✓ 😀', '/\u2028', '/\ud800'];
      const encoder = new BatchEncoder();
      texts.forEach((text, i) =>
        encoder.append(Date.UTC(2026, 11, 7, 0, 0, 0, i), request(text), { ip: true, authId: false }),
      );
      const batch = encoder.take();
      const expected = entriesOf(structuredClone(batch)).map((e) => [e.message, e.data]);
      await sink.write(batch);
      const stored = (await logs.list({ sort: 'created' })).items.map((e) => [e.message, e.data]);
      // A lone surrogate cannot be UTF-8. The data has it escaped, as JSON.stringify writes
      // it, and reads back as it was; the message, which SQLite takes from the data, has the
      // surrogate's three bytes (CESU-8), each read as U+FFFD.
      const message = (text: unknown) => String(text).replace(/\ud800/, '\ufffd'.repeat(3));
      assert.deepEqual(
        stored,
        expected.map(([text, data]) => [message(text), data]),
      );
    } finally {
      await sink.close();
      await store.close();
    }
  });

  it('makes a new log file with 16 KiB pages, and keeps the page size of an older one', async () => {
    const pageSize = (file: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return db.pragma('page_size', { simple: true });
      } finally {
        db.close();
      }
    };
    const fresh = await logsIn('pages-new');
    await fresh.store.close();
    assert.equal(pageSize(fresh.file), 16_384);

    // A logs.db an older Tandem made, with SQLite's 4 KiB pages and a table of its own.
    mkdirSync(join(dir.path, 'pages-old'));
    const older = new Database(join(dir.path, 'pages-old', 'logs.db'));
    older.pragma('page_size = 4096');
    older.pragma('journal_mode = WAL');
    older.exec('CREATE TABLE "kept" ("x" TEXT)');
    older.close();
    const { store, logs, file } = await logsIn('pages-old');
    const sink = createSqliteLogSink(file);
    try {
      await sink.write(batchOf(['/on-older-pages']));
      assert.deepEqual(
        (await logs.list({})).items.map((e) => e.data.url),
        ['/on-older-pages'],
      );
    } finally {
      await sink.close();
      await store.close();
    }
    assert.equal(pageSize(file), 4096);
  });

  it('rejects a write that fails, and goes on with the next', async () => {
    const file = join(dir.path, 'no-table.db');
    new Database(file).close(); // a database without the log's table
    const sink = createSqliteLogSink(file);
    try {
      await assert.rejects(sink.write(batchOf(['/lost'])), /request log: no such table: _logs_segments/);
      const db = new Database(file);
      registerLogFunctions(db);
      for (const statement of SQLITE_LOG_SEGMENTS.schema) db.exec(statement);
      await sink.write(batchOf(['/kept']));
      assert.deepEqual(
        db
          .prepare(
            `SELECT "value" ->> '$[3].url' FROM "${LOG_SEGMENTS_TABLE}", json_each(${LOG_ROWS_FUNCTION}("rows"))`,
          )
          .pluck()
          .all(),
        ['/kept'],
      );
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
