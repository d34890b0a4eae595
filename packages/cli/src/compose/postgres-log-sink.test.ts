/**
 * The request log's worker on a PostgreSQL server: batches land in the data's database
 * through the worker's own connection, readable at once by the server's LogStore; old
 * entries are deleted; a failed write rejects (and the writer counts it dropped) and the
 * next one goes through; stop writes what is queued and ends the worker.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createPostgresStore, entriesOf, LogStore, LogWriter, type RequestLogBatch, type Store } from '@tandem/core';
import { BatchEncoder } from '@tandem/core/log-batch';
import { createTestPostgresDatabase, guestRequestLogInput, postgresSkipReason } from '@tandem/core/testing';
import { createPostgresLogSink } from './postgres-log-sink.js';

const request = (url: string) => guestRequestLogInput(url, { userAgent: 'test' });

function batchOf(urls: string[], time = Date.now()): RequestLogBatch {
  const encoder = new BatchEncoder();
  for (const url of urls) encoder.append(time, request(url), { ip: true, authId: false });
  return encoder.take();
}

const settings = () => ({ maxDays: 5, minLevel: 0, logIP: true, logAuthId: false });

describe('the PostgreSQL request log sink', { skip: postgresSkipReason }, () => {
  let database: { url: string; drop(): Promise<void> };
  let pool: pg.Pool;
  let store: Store;
  let logs: LogStore;
  before(async () => {
    database = await createTestPostgresDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    pool.on('error', () => undefined);
    store = createPostgresStore({ pool });
    logs = new LogStore(store);
    await logs.ensureSchema();
  });
  after(async () => {
    await store?.close();
    await database?.drop();
  });

  it('writes batches as the server reads them, whatever a request carried, and deletes old entries', async () => {
    const sink = createPostgresLogSink(database.url);
    try {
      const texts = ['/"quoted"\\', '/\n\t', '/été', '/✓ 😀', '/\u2028', 'NULL', '{a,b}'];
      const encoder = new BatchEncoder();
      texts.forEach((text, i) =>
        encoder.append(Date.UTC(2026, 11, 7, 0, 0, 0, i), request(text), { ip: i % 2 === 0, authId: false }),
      );
      const batch = encoder.take();
      const expected = entriesOf(structuredClone(batch));
      await sink.write(batch);
      await sink.write(batchOf(['/old'], Date.UTC(2001, 0, 1)));
      const stored = (await logs.list({ sort: 'created', perPage: '100' })).items;
      assert.deepEqual(
        // An id ends in random characters, drawn again by entriesOf: its first nine are its time.
        stored.slice(1).map((e) => [e.id.slice(0, 9), e.created, e.level, e.message, e.data]),
        expected.map((e) => [e.id.slice(0, 9), e.created, e.level, e.message, e.data]),
      );
      assert.equal(stored[0]!.data.url, '/old');
      assert.equal(await sink.deleteBefore('2002-01-01 00:00:00.000Z'), 1);
      assert.equal((await logs.list({})).totalItems, texts.length);
      assert.equal(await sink.deleteBefore('2002-01-01 00:00:00.000Z'), 0);
    } finally {
      await sink.close();
      await store.run({ render: () => ({ text: 'DELETE FROM "_logs_segments"', params: [] }) });
    }
  });

  it('rejects a write that fails, and goes on with the next', async () => {
    const sink = createPostgresLogSink(database.url);
    const rename = (from: string, to: string) =>
      store.run({ render: () => ({ text: `ALTER TABLE "${from}" RENAME TO "${to}"`, params: [] }) });
    try {
      await rename('_logs_segments', '_logs_segments_away');
      await assert.rejects(sink.write(batchOf(['/lost'])), /request log: relation "_logs_segments" does not exist/);
      await rename('_logs_segments_away', '_logs_segments');
      await sink.write(batchOf(['/kept']));
      assert.deepEqual(
        (await logs.list({})).items.map((e) => e.data.url),
        ['/kept'],
      );
    } finally {
      await sink.close();
      await store.run({ render: () => ({ text: 'DELETE FROM "_logs_segments"', params: [] }) });
    }
  });

  it('rejects writes while the database cannot be reached, without ending the server', async () => {
    const sink = createPostgresLogSink('postgres://postgres@127.0.0.1:1/nowhere');
    try {
      await assert.rejects(sink.write(batchOf(['/lost'])), /request log: /);
      await assert.rejects(sink.write(batchOf(['/lost'])), /request log: /);
    } finally {
      await sink.close();
    }
  });

  it('under a LogWriter: stop writes every queued entry, then ends the worker', async () => {
    const writer = new LogWriter(createPostgresLogSink(database.url), { settings, maxBatch: 100 });
    for (let i = 0; i < 1_000; i += 1) writer.logRequest(request(`/n/${i}`));
    await writer.stop();
    assert.equal(writer.dropped, 0);
    assert.equal((await logs.list({})).totalItems, 1_000);
    assert.equal((await logs.list({ filter: 'data.url = "/n/999"' })).totalItems, 1);
    assert.equal(
      (
        await store.all<{ n: string }>({
          render: () => ({ text: 'SELECT count(*) AS n FROM "_logs_segments"', params: [] }),
        })
      )[0]!.n,
      '10',
    );
  });
});
