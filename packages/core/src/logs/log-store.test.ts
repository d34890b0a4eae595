import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore, type TestStore } from '../testing/test-stores.fixture.js';
import { BatchEncoder, entriesOf, type RequestLogBatch } from './log-batch.js';
import type { LogEntry, RequestLogInput } from './log-entry.js';
import { LogStore } from './log-store.js';
import { jsonRowsOf } from './log-rows-json.js';
import { sql } from '../sql/sql.js';
import type { Store } from '../store/store.js';

/** Texts that an array literal or a JSON cast could misread. */
const HOSTILE = [
  'NULL',
  'null',
  '{a,b}',
  '"quoted"',
  'back\\slash',
  'comma, space',
  ' padded ',
  'line\nbreak',
  'é😀',
  '',
];

const entries: LogEntry[] = HOSTILE.map((text, i) => ({
  id: `entry${String(i).padStart(10, '0')}`,
  created: `2026-12-05 10:00:00.${String(i).padStart(3, '0')}Z`,
  level: i % 2 === 0 ? 0 : 8,
  message: `GET /api/${text}`,
  data: { url: text, nested: { value: text, list: [text, i] }, execTime: i / 3 },
}));

/** A request entry with `text` in every text it has; `i` makes its URL its own. */
const request = (text: string, i: number): RequestLogInput => ({
  method: i % 3 === 0 ? 'POST' : 'GET',
  url: `/api/collections/notes/records/${i}?q=${text}`,
  status: i % 2 === 0 ? 200 : 404,
  execTime: i / 7,
  remoteIP: `10.0.0.${i}`,
  userIP: text,
  userAgent: `agent ${text}`,
  referer: text,
  auth: i % 2 === 0 ? 'guest' : 'users',
  authId: text,
});

/** Request texts as HTTP gives them (Latin-1, control characters but NUL) and past it (a name, a client's UTF-16). */
const REQUEST_TEXTS = [...HOSTILE, 'tab\there', '\u0001\u001f\u007f', 'caf\u00e9 \u00ff', '\ud83d\ude00 \u4e2d'];

/** Entries without their ids, by URL (ids end in random characters). */
function byUrl(entries: readonly LogEntry[]): Map<unknown, Omit<LogEntry, 'id'>> {
  return new Map(entries.map(({ id: _id, ...rest }) => [rest.data.url, rest]));
}

/** Runs `work` over a LogStore (and its store) on a fresh database of `open`'s kind, with its table made. */
async function withLogs(
  open: () => Promise<TestStore>,
  work: (logs: LogStore, store: Store) => Promise<void>,
): Promise<void> {
  const { store, cleanup } = await open();
  try {
    const logs = new LogStore(store);
    await logs.ensureSchema();
    await work(logs, store);
  } finally {
    await cleanup();
  }
}

forEachStore((name, open) => {
  it('stores a batch of request entries as entriesOf reads it, whatever their texts hold', () =>
    withLogs(open, async (logs) => {
      const encoder = new BatchEncoder();
      const time = Date.UTC(2026, 11, 7, 6, 0, 0, 0);
      REQUEST_TEXTS.forEach((text, i) =>
        encoder.append(time + i, request(text, i), { ip: i % 4 !== 1, authId: i % 2 === 1 }),
      );
      const batch = encoder.take();
      const expected = entriesOf(structuredClone(batch));
      await logs.insertRequests(batch);
      await logs.insertRequests(new BatchEncoder().take());
      const stored = (await logs.list({ perPage: '100' })).items;
      assert.equal(stored.length, REQUEST_TEXTS.length);
      assert.deepEqual(byUrl(stored), byUrl(expected));
      const ids = (entries: readonly LogEntry[]) => entries.map((e) => e.id.slice(0, 9)).sort();
      assert.deepEqual(ids(stored), ids(expected), 'ids grow with time');
      for (const entry of stored) assert.match(entry.id, /^[a-z0-9]{15}$/);
    }));

  it('stores a full batch of long entries whose rows outgrow their encoded size', () =>
    withLogs(open, async (logs) => {
      const encoder = new BatchEncoder();
      // A control character is one byte in the batch and six (`\u0001`) in a row's data.
      const long = (i: number) => ({
        ...request('"\\', i),
        url: `/${i}/${'"'.repeat(4_000)}`,
        userAgent: '\u0001'.repeat(8_000),
      });
      for (let i = 0; i < 500; i += 1)
        encoder.append(Date.UTC(2026, 11, 7, 6, 0, 0, i), long(i), { ip: true, authId: false });
      const batch = encoder.take();
      const expected = entriesOf(structuredClone(batch));
      await logs.insertRequests(batch);
      const stored = (await logs.list({ perPage: '500' })).items;
      assert.equal(stored.length, 500);
      assert.deepEqual(byUrl(stored), byUrl(expected));
    }));

  it('stores a batch of entries with hostile texts exactly as given', () =>
    withLogs(open, async (logs) => {
      await logs.insert(entries);
      await logs.insert([]);
      for (const entry of entries) assert.deepEqual(await logs.view(entry.id), entry, entry.id);
      assert.equal((await logs.list({ perPage: '100' })).totalItems, entries.length);
    }));

  it('stores nothing of a batch that holds a taken id', () =>
    withLogs(open, async (logs) => {
      await logs.insert(entries.slice(0, 1));
      await assert.rejects(logs.insert([entries[1]!, entries[0]!]));
      assert.equal(await logs.view(entries[1]!.id), undefined);
    }));

  it(
    'refuses whole a batch of requests that PostgreSQL cannot store, and stores the next',
    { skip: name === 'postgres' ? undefined : 'jsonb has no NUL; SQLite stores it' },
    () =>
      withLogs(open, async (logs) => {
        const batchOf = (agents: readonly string[]) => {
          const encoder = new BatchEncoder();
          agents.forEach((agent, i) =>
            encoder.append(
              Date.UTC(2026, 11, 7, 7, 0, 0, i),
              { ...request('x', i), userAgent: agent },
              { ip: true, authId: false },
            ),
          );
          return encoder.take();
        };
        // NB: HTTP carries no NUL in a URL or a header; the batch is refused whatever its cause.
        await assert.rejects(logs.insertRequests(batchOf(['fine', 'nul \u0000 here', 'fine too'])));
        assert.equal((await logs.list({})).totalItems, 0, 'nothing of the refused batch');
        await logs.insertRequests(batchOf(['after']));
        assert.deepEqual(
          (await logs.list({})).items.map((entry) => entry.data.userAgent),
          ['after'],
        );
      }),
  );
});

/** A time 10 ms apart per entry, each block of 50 entries in reverse, and 5 ms past it for `older`. */
const timeOf = (n: number, older = false) =>
  Date.UTC(2026, 11, 7, 8, 0, 0, 0) + 10 * (n - (n % 50) + 49 - (n % 50)) + (older ? 5 : 0);

/** A request of the test's own URL (`/api/n/<n>`, `/row` added for `older`); every third one a 404. */
const requestN = (n: number, older = false) => ({
  ...request(`n${n}`, n),
  url: `/api/n/${n}${older ? '/row' : ''}`,
  status: n % 3 === 0 ? 404 : 200,
});

/**
 * Batches of 1 to 29 requests whose times overlap the batches before and after them (a
 * request answered late is logged after one answered early), each time its own.
 */
function overlappingBatches(count: number): RequestLogBatch[] {
  const batches: RequestLogBatch[] = [];
  let n = 0;
  for (let b = 0; b < count; b += 1) {
    const encoder = new BatchEncoder();
    for (let i = 0; i < 1 + ((b * 7) % 29); i += 1, n += 1)
      encoder.append(timeOf(n), requestN(n), { ip: true, authId: false });
    batches.push(encoder.take());
  }
  return batches;
}

/** Entries stored one row each, as an older Tandem stored them, every fifth time among the batches'. */
function olderRows(count: number): LogEntry[] {
  const encoder = new BatchEncoder();
  for (let n = 0; n < count; n += 5) encoder.append(timeOf(n, true), requestN(n, true), { ip: true, authId: false });
  return entriesOf(encoder.take()).map((entry, i) => ({ ...entry, id: `row${String(i).padStart(12, '0')}` }));
}

forEachStore((_name, open) => {
  it('pages newest first as the whole log sorted, across segments that overlap in time and older rows', () =>
    withLogs(open, async (logs) => {
      const expected: LogEntry[] = [];
      for (const batch of overlappingBatches(60)) {
        expected.push(...entriesOf(structuredClone(batch)));
        await logs.insertRequests(batch);
      }
      const rows = olderRows(expected.length);
      await logs.insert(rows);
      expected.push(...rows);
      const newestFirst = (a: LogEntry, b: LogEntry) =>
        a.created === b.created ? (a.id < b.id ? 1 : -1) : a.created < b.created ? 1 : -1;
      expected.sort(newestFirst);
      assert.equal(new Set(expected.map((e) => e.created)).size, expected.length, 'every time its own');
      for (const [filter, matches] of [
        ['', () => true],
        ['data.status = 404', (e: LogEntry) => e.data.status === 404],
        ['data.url ~ "/row"', (e: LogEntry) => String(e.data.url).endsWith('/row')],
      ] as const) {
        const wanted = expected.filter(matches);
        for (const perPage of [1, 7, 30, 500]) {
          for (const sort of [undefined, '-created', '-created,id', '-@rowid']) {
            const pages = Math.ceil(wanted.length / perPage) + 1;
            for (let page = 1; page <= pages; page += pages > 12 ? 5 : 1) {
              const got = await logs.list({ filter, sort, perPage: String(perPage), page: String(page) });
              const want = wanted.slice((page - 1) * perPage, page * perPage);
              const label = `filter ${filter || '(none)'}, sort ${sort}, ${perPage} a page, page ${page}`;
              assert.deepEqual(
                got.items.map((e) => e.data.url),
                want.map((e) => e.data.url),
                label,
              );
              assert.equal(got.totalItems, wanted.length, label);
            }
          }
        }
      }
      // `@rowid` ascending (PocketBase's admin sorts its logs by `-@rowid`): the oldest first.
      const oldest = await logs.list({ sort: '@rowid', perPage: '500' });
      assert.deepEqual(
        oldest.items.map((e) => e.data.url),
        [...expected]
          .reverse()
          .slice(0, 500)
          .map((e) => e.data.url),
      );
    }));

  it('finds each entry by its id in whichever segment holds it, and no other', () =>
    withLogs(open, async (logs) => {
      for (const batch of overlappingBatches(12)) await logs.insertRequests(batch);
      const all = (await logs.list({ perPage: '500', sort: 'created' })).items;
      assert.ok(all.length > 100);
      for (const entry of all) assert.deepEqual(await logs.view(entry.id), entry, entry.id);
      const first = all[0]!.id;
      assert.equal(await logs.view(`${first.slice(0, 14)}${first[14] === 'a' ? 'b' : 'a'}`), undefined);
      assert.equal(await logs.view(''), undefined);
    }));

  it('keeps an entry until retention passes it, and counts what it deleted', () =>
    withLogs(open, async (logs) => {
      for (const batch of overlappingBatches(20)) await logs.insertRequests(batch);
      await logs.insert(olderRows(300));
      const before = (await logs.list({ perPage: '500', sort: 'created' })).items;
      const cutoff = before[Math.floor(before.length / 2)]!.created;
      const deleted = await logs.deleteBefore(cutoff);
      const after = (await logs.list({ perPage: '500', sort: 'created' })).items;
      assert.equal(after.length + deleted, before.length, 'deleted counts every entry gone');
      assert.ok(deleted > 0, 'something was old enough');
      for (const entry of before)
        if (entry.created >= cutoff)
          assert.ok(
            after.some((kept) => kept.id === entry.id),
            `kept ${entry.id}`,
          );
      assert.equal((await logs.list({})).totalItems, after.length);
      assert.equal(await logs.deleteBefore('9999-12-31 23:59:59.999Z'), after.length);
      assert.equal((await logs.list({})).totalItems, 0);
    }));
});

forEachStore((_name, open) => {
  it('counts entries per hour as they are, whether a segment spans two hours or one', () =>
    withLogs(open, async (logs) => {
      const expected: LogEntry[] = [];
      let n = 0;
      // Entries 47 s apart over about four hours, 1 to 29 to a batch: some batches cross an hour.
      for (let b = 0; b < 40; b += 1) {
        const encoder = new BatchEncoder();
        for (let i = 0; i < 1 + ((b * 7) % 29); i += 1, n += 1)
          encoder.append(Date.UTC(2026, 11, 7, 9, 30) + n * 47_000, requestN(n), { ip: true, authId: false });
        const batch = encoder.take();
        expected.push(...entriesOf(structuredClone(batch)));
        await logs.insertRequests(batch);
      }
      const rows = olderRows(n);
      await logs.insert(rows);
      expected.push(...rows);
      const perHour = (entries: readonly LogEntry[]) => {
        const counts = new Map<string, number>();
        for (const entry of entries) {
          const date = `${entry.created.slice(0, 13)}:00:00.000Z`;
          counts.set(date, (counts.get(date) ?? 0) + 1);
        }
        return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, total]) => ({ total, date }));
      };
      assert.ok(perHour(expected).length >= 4);
      assert.deepEqual(await logs.stats(), perHour(expected));
      assert.deepEqual(
        await logs.stats('data.status = 404'),
        perHour(expected.filter((entry) => entry.data.status === 404)),
      );
    }));
});

forEachStore((name, open) => {
  // SQLite's budget is its connection's deadline function (the log reader's test in cli
  // sets a small one); PostgreSQL's is in the statement, from the LogStore's options.
  if (name !== 'postgres') return;
  it('ends a read past its budget with QUERY_TOO_COSTLY, and answers the next', async () => {
    const { store, cleanup } = await open();
    try {
      const logs = new LogStore(store, store, { readBudgetMs: 1 });
      await logs.ensureSchema();
      // 100 segments of 500 entries: tens of milliseconds to take apart.
      for (let b = 0, n = 0; b < 100; b += 1) {
        const encoder = new BatchEncoder();
        for (let i = 0; i < 500; i += 1, n += 1) encoder.append(timeOf(n), requestN(n), { ip: true, authId: false });
        await logs.insertRequests(encoder.take());
      }
      await assert.rejects(logs.list({ filter: 'data.url ~ "no such url"' }), (error: unknown) => {
        assert.equal((error as { code?: string }).code, 'QUERY_TOO_COSTLY');
        return true;
      });
      assert.equal((await logs.list({ perPage: '2', skipTotal: '1' })).items.length, 2);
    } finally {
      await cleanup();
    }
  });
});

forEachStore((name, open) => {
  if (name !== 'postgres') return;
  it('stores segments with lz4 from the first start on, and a later start changes nothing', async () => {
    const { store, cleanup } = await open();
    try {
      const compression = async () =>
        (
          await store.all<{ method: string }>({
            render: () => ({
              text: `SELECT CAST(attcompression AS text) AS "method" FROM pg_attribute
                WHERE attrelid = '"_logs_segments"'::regclass AND attname = 'rows'`,
              params: [],
            }),
          })
        )[0]?.method;
      const logs = new LogStore(store);
      await logs.ensureSchema();
      assert.equal(await compression(), 'l');
      await logs.ensureSchema();
      const encoder = new BatchEncoder();
      for (let n = 0; n < 500; n += 1) encoder.append(timeOf(n), requestN(n), { ip: true, authId: false });
      await logs.insertRequests(encoder.take());
      const stored = await store.all<{ method: string }>({
        render: () => ({ text: 'SELECT pg_column_compression("rows") AS "method" FROM "_logs_segments"', params: [] }),
      });
      assert.deepEqual(stored, [{ method: 'lz4' }]);
      assert.equal((await logs.list({ perPage: '500' })).items.length, 500);

      // A start whose table is held (a long log read) waits 2 s at most, keeps pglz, and
      // leaves the change to the next start.
      const statement = (text: string) => ({ render: () => ({ text, params: [] }) });
      await store.run(statement('ALTER TABLE "_logs_segments" ALTER COLUMN "rows" SET COMPRESSION pglz'));
      const started = Date.now();
      await store.transaction(async (tx) => {
        await tx.run(statement('LOCK TABLE "_logs_segments" IN ACCESS SHARE MODE'));
        await new LogStore(store).ensureSchema();
      });
      assert.ok(Date.now() - started < 10_000, 'the start did not wait for the lock');
      assert.equal(await compression(), 'p');
      await new LogStore(store).ensureSchema();
      assert.equal(await compression(), 'l');
    } finally {
      await cleanup();
    }
  });
});

forEachStore((name, open) => {
  if (name !== 'sqlite') return;
  it('reads segments an older Tandem stored as JSON text beside those stored as their bytes', () =>
    withLogs(open, async (logs, store) => {
      const [older, newer] = [overlappingBatches(6), overlappingBatches(6)];
      // As an older Tandem wrote them: the rows' JSON text.
      for (const batch of older) {
        const { first, last, lowId, highId, count, bytes } = jsonRowsOf(batch);
        await store.run(sql`INSERT INTO "_logs_segments" ("first", "last", "lowId", "highId", "count", "rows")
          VALUES (${first}, ${last}, ${lowId}, ${highId}, ${count}, ${bytes.toString('utf8')})`);
      }
      for (const batch of newer) await logs.insertRequests(batch);
      const kinds = await store.all<{ kind: string; n: number }>(
        sql`SELECT typeof("rows") AS "kind", COUNT(*) AS "n" FROM "_logs_segments" GROUP BY 1 ORDER BY 1`,
      );
      assert.deepEqual(
        kinds.map((k) => ({ ...k })),
        [
          { kind: 'blob', n: 6 },
          { kind: 'text', n: 6 },
        ],
      );
      const all = (await logs.list({ perPage: '500', sort: 'created' })).items;
      const expected = [...older, ...newer].reduce((sum, batch) => sum + batch.count, 0);
      assert.equal(all.length, expected);
      for (const entry of all) assert.deepEqual(await logs.view(entry.id), entry, entry.id);
      const filtered = await logs.list({ filter: 'data.status = 404', perPage: '500' });
      assert.equal(filtered.totalItems, all.filter((e) => e.data.status === 404).length);
      assert.ok(filtered.totalItems > 0);
      assert.equal(
        (await logs.stats()).reduce((sum, hour) => sum + hour.total, 0),
        expected,
      );
    }));
});
