import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestPostgresDatabase, postgresSkipReason } from '../testing/test-databases.fixture.js';
import { createPostgresStore } from '../storage/postgres/postgres-store.js';
import { CollectionService } from '../collections/collection-service.js';
import { RecordService } from '../records/record-service.js';
import { internalRequest } from '../records/request-context.js';
import { superuser } from '../schema/principal.js';
import type { Collection } from '../schema/collection.js';
import type { RecordData } from '../schema/principal.js';
import { sql } from '../sql/sql.js';
import type { Store } from '../store/store.js';
import { withChangeNotifications } from './change-notifying-store.js';
import { ChangeFeed } from './change-feed.js';
import { appendChange, headSeq, noteStaged, prepareChange, readChanges, type ChangeEvent } from './change-log.js';
import { ChangeSequencer } from './change-sequencer.js';
import { MOVE_LIMIT, stagedRowOf, writeAndStageValues } from './change-staging.js';
import { ChangeRecorder, type RecordingExecutor } from './change-recorder.js';

// PostgreSQL's staged appends (change-staging.ts): writes through the change-notifying
// store stage their changes and a sequencer numbers them after commit; writes through a
// bare store take the counter. These tests run several "instances" (stores with their own
// pools and sequencers) on one database, as a cluster does.

const su = internalRequest(superuser());

describe('staged change log appends on PostgreSQL', { skip: postgresSkipReason }, () => {
  let database: { url: string; drop(): Promise<void> };
  const pools: pg.Pool[] = [];
  let bare: Store;
  let notes: Collection;
  let noteId = 0;

  function open(): Store {
    const pool = new pg.Pool({ connectionString: database.url, max: 4 });
    pool.on('error', () => undefined);
    pools.push(pool);
    return createPostgresStore({ pool });
  }

  /** An instance: a notifying store with its own sequencer; `acked` gets each commit's changes. */
  function instance() {
    const store = open();
    const acked: ChangeEvent[] = [];
    return { acked, store: withChangeNotifications(store, (_ids, changes) => void acked.push(...changes)) };
  }

  before(async () => {
    database = await createTestPostgresDatabase();
    bare = open();
    const collections = new CollectionService(bare);
    await collections.load();
    notes = await collections.create({ name: 'notes', fields: [{ name: 'title', type: 'text' }] });
  });

  after(async () => {
    for (const pool of pools) await pool.end();
    await database.drop();
  });

  /** A new note whose title is '0'; returns its id. */
  async function newNote(): Promise<string> {
    const id = `note${String(++noteId).padStart(11, '0')}`;
    await bare.run(sql`INSERT INTO "notes" ("id", "title") VALUES (${id}, '0')`);
    return id;
  }

  /**
   * Adds one to the note's title in `store`'s transaction and logs the change: the
   * UPDATE waits for the last writer's commit, so each write depends on the one before.
   */
  function increment(store: Store, id: string): Promise<void> {
    return store.transaction(async (tx) => {
      const row = await tx.first<RecordData>(
        sql`UPDATE "notes" SET "title" = CAST(CAST("title" AS INTEGER) + 1 AS TEXT) WHERE "id" = ${id} RETURNING *`,
      );
      await appendChange(tx, notes, 'update', row!);
    });
  }

  async function stagedRows(): Promise<number> {
    const row = await bare.first<{ n: unknown }>(sql`SELECT COUNT(*) AS "n" FROM "_changesStaged"`);
    return Number(row!.n);
  }

  it('logs dependent writes of several instances in the order they committed, each once, without gaps', async () => {
    const a = instance();
    const b = instance();
    const id = await newNote();
    const start = await headSeq(bare);
    // 60 writes of one row from three writers at once: two staging instances and a
    // bare store, which takes the counter (and must move what is staged first).
    const writers = [a.store, b.store, bare];
    await Promise.all(Array.from({ length: 60 }, (_, i) => increment(writers[i % 3]!, id)));

    const log = await readChanges(bare, start);
    assert.deepEqual(
      log.map((event) => event.seq - start),
      Array.from({ length: 60 }, (_, i) => i + 1),
      'every write logged once, seqs without gaps',
    );
    assert.deepEqual(
      log.map((event) => Number(event.record.title)),
      Array.from({ length: 60 }, (_, i) => i + 1),
      'in the order the writes committed: replaying the log gives the row as it is',
    );
    assert.equal(await stagedRows(), 0, 'nothing left staged');

    // Each instance was handed its own changes with the seqs the log gave them, whichever
    // instance's pass moved them.
    const acked = [...a.acked, ...b.acked].sort((x, y) => x.seq - y.seq);
    assert.equal(acked.length, 40);
    for (const event of acked) assert.deepEqual(event, log[event.seq - start - 1], `seq ${event.seq}`);
  });

  it('moves changes left staged by a writer that died before its pass, when the feed starts and polls', async () => {
    const id = await newNote();
    // A transaction that stages and commits with no sequencer after it, as if its process died then.
    const strand = (title: string) =>
      bare.transaction(async (tx) => {
        const recorder = new ChangeRecorder(true);
        await appendChange({ ...tx, changes: recorder } as RecordingExecutor, notes, 'update', { id, title });
        assert.equal(recorder.staged.length, 1);
      });
    await strand('stranded');
    assert.equal(await stagedRows(), 1);

    const store = open();
    const feed = new ChangeFeed(store);
    const seen: string[] = [];
    feed.subscribe((event) => seen.push(String(event.record.title)));
    await feed.start({ pollMs: 20, sequencer: new ChangeSequencer(store) });
    try {
      assert.equal(await stagedRows(), 0, 'the start moved it into the log');
      const newest = await readChanges(bare, (await headSeq(bare)) - 1);
      assert.equal(newest[0]?.record.title, 'stranded');
      await strand('stranded later');
      for (let wait = 0; wait < 100 && seen.length === 0; wait++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(seen, ['stranded later'], 'a poll moved it and delivered it');
      assert.equal(await stagedRows(), 0);
    } finally {
      feed.stop();
    }
  });

  it('acknowledges a committed write whose pass fails, and a later pass logs it', async () => {
    const store = open();
    // The pass's statement fails, as when the database goes away right after the commit.
    const failing = { ...store, all: () => Promise.reject(new Error('connection lost')) } as Store;
    const acked: ChangeEvent[] = [];
    const writer = withChangeNotifications(
      store,
      (_ids, changes) => void acked.push(...changes),
      new ChangeSequencer(failing),
    );
    const id = await newNote();
    await writer.transaction(async (tx) => {
      await appendChange(tx, notes, 'update', { id, title: 'committed' });
    });
    assert.deepEqual(acked, [], 'acknowledged without a seq to publish');
    assert.equal(await stagedRows(), 1, 'still staged, not lost');
    const head = await headSeq(bare);
    await new ChangeSequencer(open()).sweep();
    const [logged] = await readChanges(bare, head);
    assert.equal(logged?.record.title, 'committed');
    assert.equal(await stagedRows(), 0);
  });

  it('moves a backlog longer than one pass, in staged order', async () => {
    const id = await newNote();
    const count = MOVE_LIMIT + 5;
    await bare.transaction(async (tx) => {
      const staging = { ...tx, changes: new ChangeRecorder(true) } as RecordingExecutor;
      for (let i = 1; i <= count; i++) await appendChange(staging, notes, 'update', { id, title: String(i) });
    });
    const head = await headSeq(bare);
    await new ChangeSequencer(open()).sweep();
    const log = await readChanges(bare, head, 2 * count);
    assert.deepEqual(
      log.map((event) => Number(event.record.title)),
      Array.from({ length: count }, (_, i) => i + 1),
    );
    assert.equal(log.at(-1)!.seq - head, count);
    assert.equal(await stagedRows(), 0);
  });

  it("hands a writer the seqs of a large transaction's changes when another instance's pass moved them", async () => {
    const id = await newNote();
    const store = open();
    // Before this sequencer's first pass runs, another instance's pass moves everything.
    let others = true;
    const overtaken = {
      ...store,
      all: async (query: Parameters<Store['all']>[0]) => {
        if (others) {
          others = false;
          await new ChangeSequencer(open()).sweep();
        }
        return store.all(query);
      },
    } as Store;
    const acked: ChangeEvent[] = [];
    const writer = withChangeNotifications(
      store,
      (_ids, changes) => void acked.push(...changes),
      new ChangeSequencer(overtaken),
    );
    const head = await headSeq(bare);
    const count = 10_005; // more than one statement's worth of ids to look up
    await writer.transaction(async (tx) => {
      for (let i = 1; i <= count; i++) await appendChange(tx, notes, 'update', { id, title: String(i) });
    });
    assert.equal(others, false, 'the other pass ran first');
    const log = await readChanges(bare, head, 2 * count);
    assert.equal(log.length, count);
    assert.deepEqual(acked, log, 'every change handed back with the seq the log gave it, in order');
  });

  it('writes a record and stages its change in one statement; a taken id fails whole', async () => {
    const a = instance();
    const collections = new CollectionService(a.store);
    await collections.load();
    const records = new RecordService(a.store, collections);
    const head = await headSeq(bare);
    const note = await records.create('notes', { title: 'first' }, {}, su);
    await assert.rejects(records.create('notes', { id: note.id, title: 'again' }, {}, su), {
      code: 'RECORD_CREATE_FAILED',
      data: { id: { code: 'validation_not_unique', message: 'Value must be unique.' } },
    });
    await records.update('notes', note.id, { title: 'second' }, {}, su);
    const log = await readChanges(bare, head);
    assert.deepEqual(
      log.map((event) => [event.action, event.record.title, event.before?.title]),
      [
        ['create', 'first', undefined],
        ['update', 'second', 'first'],
      ],
    );
    assert.deepEqual(a.acked, log);
    assert.equal(await stagedRows(), 0);
  });

  it('numbers a one-statement write after the write whose row lock it waited for', async () => {
    const a = instance();
    const id = await newNote();
    const head = await headSeq(bare);
    let locked!: () => void;
    let release!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const held = new Promise<void>((resolve) => (release = resolve));
    // A takes the row's lock, and stages its change only after B's statement is waiting for it.
    const first = a.store.transaction(async (tx) => {
      await tx.run(sql`UPDATE "notes" SET "title" = 'A' WHERE "id" = ${id}`);
      locked();
      await held;
      await appendChange(tx, notes, 'update', { id, title: 'A' });
    });
    await isLocked;
    const second = a.store.transaction(async (tx) => {
      const change = prepareChange(notes, 'update', { id, title: 'B' });
      const update = sql`UPDATE "notes" SET "title" = 'B' WHERE "id" = ${id} RETURNING 1`;
      noteStaged(tx, change, stagedRowOf(await tx.first(writeAndStageValues(update, change.values))));
    });
    await new Promise((resolve) => setTimeout(resolve, 200)); // B's statement is now waiting for A's lock
    release();
    await Promise.all([first, second]);
    const log = await readChanges(bare, head);
    assert.deepEqual(
      log.map((event) => event.record.title),
      ['A', 'B'],
      'B changed the row after A: the log must say so',
    );
  });

  it('stages nothing when the write rolls back', async () => {
    const a = instance();
    const id = await newNote();
    const head = await headSeq(bare);
    await assert.rejects(
      a.store.transaction(async (tx) => {
        await appendChange(tx, notes, 'update', { id, title: 'rolled back' });
        throw new Error('the write fails after logging');
      }),
      /the write fails/,
    );
    assert.equal(await stagedRows(), 0);
    assert.equal(await headSeq(bare), head);
    assert.deepEqual(a.acked, []);
  });
});
