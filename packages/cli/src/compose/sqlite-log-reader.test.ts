/**
 * The request log's reads on a SQLite server, on a worker thread: the same answers as
 * reads on the server's own connection, the event loop free while a long read runs, a
 * budget that ends a read past it, and a reader replaced after it died.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, LogStore, type LogListParams, type RequestLogBatch, type Store } from '@tandem/core';
import { BatchEncoder } from '@tandem/core/log-batch';
import { createTempDir, guestRequestLogInput } from '@tandem/core/testing';
import { openLogsStore } from './open-store.js';
import { createSqliteLogReader, type SqliteLogReader } from './sqlite-log-reader.js';

const START = Date.UTC(2026, 11, 7, 9, 30);

/** `count` entries from `first` on, a millisecond apart, of varied urls, methods and statuses. */
function batchOf(first: number, count: number): RequestLogBatch {
  const encoder = new BatchEncoder();
  for (let i = first; i < first + count; i++) {
    const input = guestRequestLogInput(`/api/items/${i % 97}?n=${i}`, {
      method: i % 5 === 0 ? 'POST' : 'GET',
      status: i % 11 === 0 ? 404 : 200,
      userAgent: `agent ${i % 3}`,
    });
    encoder.append(START + i * 1_000, input, { ip: true, authId: false });
  }
  return encoder.take();
}

/** A log file of `segments` segments of `perSegment` entries; its store, and the file. */
async function logOf(path: string, segments: number, perSegment: number) {
  const store = openLogsStore({ db: join(path, 'data.db') })!;
  const logs = new LogStore(store);
  await logs.ensureSchema();
  for (let s = 0; s < segments; s++) await logs.insertRequests(batchOf(s * perSegment, perSegment));
  return { store, logs, file: join(path, 'logs.db') };
}

/** How many turns of the event loop pass while `work` is awaited. */
async function turnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let running = true;
  const turn = () => {
    turns += 1;
    if (running) setImmediate(turn);
  };
  setImmediate(turn);
  try {
    await work();
  } finally {
    running = false;
  }
  return turns;
}

describe('the SQLite request log reader', () => {
  let dir: { path: string; remove(): Promise<void> };
  before(async () => {
    dir = await createTempDir();
  });
  after(() => dir.remove());

  describe('over a log of 40 segments', () => {
    let store: Store;
    let local: LogStore;
    let threaded: LogStore;
    let reader: SqliteLogReader;
    before(async () => {
      const log = await logOf(join(dir.path, 'same'), 40, 50);
      store = log.store;
      local = log.logs;
      reader = createSqliteLogReader(log.file, store.dialect);
      threaded = new LogStore(store, reader);
    });
    after(async () => {
      await reader.close();
      await store.close();
    });

    const pages: LogListParams[] = [
      {},
      { page: '3', perPage: '17' },
      { sort: '-@rowid', perPage: '5' },
      { sort: 'data.url,-created', perPage: '40', page: '2' },
      { filter: 'data.status = 404 && data.method = "GET"', perPage: '500' },
      { filter: 'data.url ~ "items/9"', sort: '-data.userAgent,id', skipTotal: '1' },
      { filter: 'created >= "2026-12-07 09:45:00.000Z"', sort: 'created' },
    ];
    for (const params of pages)
      it(`answers ${JSON.stringify(params)} as the server's own connection does`, async () => {
        const [mine, theirs] = [await local.list(params), await threaded.list(params)];
        assert.deepEqual(theirs, mine);
        assert.ok(mine.items.length > 0);
      });

    it('answers a view by id and the stats as the server’s own connection does', async () => {
      const { items } = await local.list({ sort: 'data.url', perPage: '3' });
      for (const { id } of items) assert.deepEqual(await threaded.view(id), await local.view(id));
      assert.equal(await threaded.view('nosuchentry0000'), undefined);
      assert.deepEqual(await threaded.stats(), await local.stats());
      assert.deepEqual(await threaded.stats('data.status = 404'), await local.stats('data.status = 404'));
    });
  });

  describe('over a large log', () => {
    let store: Store;
    let file: string;
    before(async () => {
      const log = await logOf(join(dir.path, 'large'), 300, 500);
      store = log.store;
      file = log.file;
    });
    after(() => store.close());
    const everyEntry: LogListParams = { filter: 'data.url ~ "no such url"' };

    it('leaves the event loop free while a read takes every segment apart', async () => {
      const reader = createSqliteLogReader(file, store.dialect);
      try {
        const threaded = new LogStore(store, reader);
        let page: Awaited<ReturnType<LogStore['list']>> | undefined;
        const turns = await turnsDuring(async () => (page = await threaded.list(everyEntry)));
        assert.equal(page?.totalItems, 0);
        assert.ok(turns >= 10, `the event loop turned ${turns} times during the read`);
        // On the server's own connection the same read holds the loop from start to end.
        assert.equal(await turnsDuring(() => new LogStore(store).list(everyEntry)), 0);
      } finally {
        await reader.close();
      }
    });

    it('ends a read past its budget with QUERY_TOO_COSTLY, and answers the next', async () => {
      // The newest page takes a segment or two apart (about 10 ms here), the filter all 300
      // (about half a second a statement): a budget far from both, also on a busy machine.
      const reader = createSqliteLogReader(file, store.dialect, 100);
      try {
        const threaded = new LogStore(store, reader);
        await assert.rejects(threaded.list(everyEntry), (error: unknown) => {
          assert.ok(error instanceof AppError);
          assert.equal(error.code, 'QUERY_TOO_COSTLY');
          return true;
        });
        assert.equal((await threaded.list({ perPage: '2' })).items.length, 2);
      } finally {
        await reader.close();
      }
    });

    it('closes after the read it holds, and the process waits for it', async () => {
      const reader = createSqliteLogReader(file, store.dialect);
      const read = new LogStore(store, reader).list({ ...everyEntry, sort: 'created' });
      await new Promise((done) => setTimeout(done, 20));
      // NB: nothing else here keeps the event loop alive: a worker let go before its exit
      // would end this test with `close` unsettled.
      await reader.close();
      assert.equal((await read).totalItems, 0);
    });
  });

  it('replaces a reader that could not start at the next read', async () => {
    const path = join(dir.path, 'restart');
    const first = await logOf(path, 1, 3);
    await first.store.close();
    rmSync(first.file); // the reader opens only an existing file: this one dies at start
    const reader = createSqliteLogReader(first.file, first.store.dialect);
    try {
      await assert.rejects(new LogStore(first.store, reader).list({}), /request log reader/);
      const again = await logOf(path, 1, 3);
      assert.equal((await new LogStore(again.store, reader).list({})).totalItems, 3);
      await again.store.close();
    } finally {
      await reader.close();
    }
  });
});
