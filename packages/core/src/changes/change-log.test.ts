import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/test-stores.fixture.js';
import type { Store } from '../store/store.js';
import { CollectionService } from '../collections/collection-service.js';
import { RecordService } from '../records/record-service.js';
import { internalRequest } from '../records/request-context.js';
import { superuser } from '../schema/principal.js';
import { withChangeNotifications } from './change-notifying-store.js';
import { ChangeFeed } from './change-feed.js';
import {
  appendChange,
  changeLogLayout,
  headSeq,
  oldestSeq,
  readChanges,
  rekeyChangeLog,
  trimChanges,
  type ChangeEvent,
} from './change-log.js';

const su = internalRequest(superuser());

/** The services over `store`, with `notes`: open to everyone, a title of at most 10 characters. */
async function withNotes(store: Store) {
  const collections = new CollectionService(store);
  await collections.load();
  await collections.ensureSystemCollections();
  const notes = await collections.create({
    name: 'notes',
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: '',
    deleteRule: '',
    fields: [{ name: 'title', type: 'text', max: 10 }],
  });
  return { collections, notes, records: new RecordService(store, collections) };
}

/** The change log's layout of earlier versions (`seq` a BIGINT key), with changes 7 and 8 in it and the counter at them. */
function createOldLayoutLog(store: Store): Promise<void> {
  return store.exec(`CREATE TABLE "_changes" ("seq" BIGINT PRIMARY KEY NOT NULL, "collectionId" TEXT NOT NULL,
    "collectionName" TEXT NOT NULL, "action" TEXT NOT NULL, "recordId" TEXT NOT NULL, "record" TEXT NOT NULL,
    "before" TEXT, "created" BIGINT NOT NULL, "cascadeFrom" TEXT);
    CREATE TABLE "_changeSeq" ("id" INTEGER PRIMARY KEY NOT NULL, "seq" BIGINT NOT NULL);
    INSERT INTO "_changeSeq" ("id", "seq") VALUES (1, 8);
    INSERT INTO "_changes" VALUES (7, 'c1', 'old', 'create', 'r7', '{"id":"r7"}', NULL, 1, NULL);
    INSERT INTO "_changes" VALUES (8, 'c1', 'old', 'update', 'r7', '{"id":"r7","n":2}', '{"id":"r7"}', 2, NULL);`);
}

forEachStore((dialect, open) => {
  async function setup() {
    const opened = await open();
    let commits = 0;
    const store = withChangeNotifications(opened.store, () => void commits++);
    const { collections, records } = await withNotes(store);
    return { ...opened, store, collections, records, commits: () => commits };
  }

  it(`logs every create, update and delete with increasing seq, in the write's transaction (${dialect})`, async () => {
    const t = await setup();
    try {
      const start = await headSeq(t.store);
      const note = await t.records.create('notes', { title: 'a' }, {}, su);
      await t.records.update('notes', note.id, { title: 'b' }, {}, su);
      await t.records.delete('notes', note.id, su);
      const events = await readChanges(t.store, start);
      assert.deepEqual(
        events.map((e) => [e.seq - start, e.action, e.recordId]),
        [
          [1, 'create', note.id],
          [2, 'update', note.id],
          [3, 'delete', note.id],
        ],
      );
      assert.equal(events[1]!.before?.title, 'a');
      assert.equal(events[1]!.record.title, 'b');
      assert.equal(events[2]!.record.title, 'b', 'a delete carries the record as it was');
      assert.equal(t.commits(), 3);
    } finally {
      await t.cleanup();
    }
  });

  it(`stores each change exactly as it publishes it, column for column (${dialect})`, async () => {
    const opened = await open();
    const published: ChangeEvent[] = [];
    const store = withChangeNotifications(opened.store, (_ids, events) => void published.push(...events));
    try {
      const { notes, records } = await withNotes(store);
      const start = await headSeq(store);
      const note = await records.create('notes', { title: 'first' }, {}, su);
      await records.update('notes', note.id, { title: 'second' }, {}, su);
      const stored = await readChanges(store, start);
      assert.deepEqual(stored, published);
      assert.deepEqual(
        stored.map((e) => [e.collectionId, e.collectionName, e.action, e.recordId, e.record.title, e.before?.title]),
        [
          [notes.id, 'notes', 'create', note.id, 'first', undefined],
          [notes.id, 'notes', 'update', note.id, 'second', 'first'],
        ],
      );
      for (const event of stored) assert.ok(Math.abs(event.created - Date.now()) < 60_000);
    } finally {
      await opened.cleanup();
    }
  });

  it(`appends nothing and notifies nobody when the write rolls back (${dialect})`, async () => {
    const t = await setup();
    try {
      const start = await headSeq(t.store);
      const commits = t.commits();
      await assert.rejects(t.records.create('notes', { title: 'far too long a title' }, {}, su));
      await assert.rejects(
        t.store.transaction(async (tx) => {
          await appendChange(tx, t.collections.get('notes'), 'create', { id: 'rolledback00001', title: 'x' });
          throw new Error('abort');
        }),
      );
      assert.equal(await headSeq(t.store), start);
      assert.deepEqual(await readChanges(t.store, start), []);
      assert.equal(t.commits(), commits);
    } finally {
      await t.cleanup();
    }
  });

  it(`never logs an auth record's password hash or tokenKey (${dialect})`, async () => {
    const t = await setup();
    try {
      const start = await headSeq(t.store);
      await t.records.create(
        'users',
        { email: 'log@example.com', password: 'a long passphrase', passwordConfirm: 'a long passphrase' },
        {},
        su,
      );
      const [event] = await readChanges(t.store, start);
      assert.equal(event!.record.email, 'log@example.com');
      assert.ok(!('password' in event!.record) && !('tokenKey' in event!.record));
    } finally {
      await t.cleanup();
    }
  });

  it(`feeds concurrent writers' changes to listeners once each, in seq order (${dialect})`, async () => {
    const t = await setup();
    const feed = new ChangeFeed(t.store);
    try {
      await feed.start({ pollMs: 50 });
      const seen: ChangeEvent[] = [];
      feed.subscribe((event) => seen.push(event));
      await Promise.all(Array.from({ length: 40 }, (_, i) => t.records.create('notes', { title: `n${i}` }, {}, su)));
      await feed.poke();
      const seqs = seen.map((e) => e.seq);
      assert.equal(seqs.length, 40);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
      );
      assert.equal(new Set(seqs).size, 40);
      assert.equal(seqs.at(-1)! - seqs[0]!, 39, 'no gaps');
    } finally {
      feed.stop();
      await t.cleanup();
    }
  });

  it(`settles: resolves once every change committed before it is delivered, announced or not (${dialect})`, async () => {
    const t = await setup(); // its store announces nothing to this feed: like another process's writes
    const feed = new ChangeFeed(t.store);
    try {
      await feed.start({ pollMs: 60_000 });
      const seen: string[] = [];
      feed.subscribe((event) => seen.push(String(event.record.title)));
      for (const title of ['s1', 's2', 's3']) await t.records.create('notes', { title }, {}, su);
      assert.deepEqual(seen, [], 'nothing delivered before the next poll');
      await feed.settle();
      assert.deepEqual(seen, ['s1', 's2', 's3']);
      await feed.settle();
      assert.equal(seen.length, 3, 'settling again delivers nothing twice');
    } finally {
      feed.stop();
      await t.cleanup();
    }
  });

  it(`hands local commits to the feed without reading them back, in order and without gaps (${dialect})`, async () => {
    const opened = await open();
    let reads = 0;
    // Counts the statements that read changes back (readChanges); PostgreSQL's sequencer
    // passes, which move staged changes into the log, are no reads of it.
    const counting = {
      ...opened.store,
      all: (query: Parameters<typeof opened.store.all>[0]) => {
        if (query.render(opened.store.dialect).text.startsWith('SELECT * FROM "_changes"')) reads++;
        return opened.store.all(query);
      },
    } as typeof opened.store;
    const feedRef: { feed?: ChangeFeed } = {};
    const store = withChangeNotifications(counting, (_ids, changes) => feedRef.feed?.publish(changes));
    const { records } = await withNotes(store);
    const feed = (feedRef.feed = new ChangeFeed(store));
    try {
      await feed.start({ pollMs: 60_000 });
      const seen: ChangeEvent[] = [];
      feed.subscribe((event) => seen.push(event));
      reads = 0;
      await Promise.all(Array.from({ length: 40 }, (_, i) => records.create('notes', { title: `p${i}` }, {}, su)));
      await new Promise((resolve) => setImmediate(resolve));
      const seqs = seen.map((e) => e.seq);
      assert.equal(seqs.length, 40);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
      );
      assert.equal(seqs.at(-1)! - seqs[0]!, 39, 'no gaps');
      assert.deepEqual(
        new Set(seen.map((e) => e.record.title)),
        new Set(Array.from({ length: 40 }, (_, i) => `p${i}`)),
      );
      assert.equal(reads, 0, 'no query read the change log back');
    } finally {
      feed.stop();
      await opened.cleanup();
    }
  });

  it(`trims by count and by age (${dialect})`, async () => {
    const t = await setup();
    try {
      for (let i = 0; i < 5; i++) await t.records.create('notes', { title: `t${i}` }, {}, su);
      const head = await headSeq(t.store);
      await trimChanges(t.store, { maxAgeMs: 86_400_000, maxCount: 2 });
      assert.equal(await oldestSeq(t.store), head - 1);
      await trimChanges(t.store, { maxAgeMs: 0, maxCount: 100 }, Date.now() + 1000);
      assert.equal(await oldestSeq(t.store), undefined);
      assert.equal(await headSeq(t.store), head, 'the sequence never goes back');
      await t.records.create('notes', { title: 'after' }, {}, su);
      assert.equal(await headSeq(t.store), head + 1, 'and the next change continues it');
      const [next] = await readChanges(t.store, head);
      assert.equal(next!.seq, head + 1);
    } finally {
      await t.cleanup();
    }
  });

  it(`keys a new change log by seq as the database's 64-bit integer, the rowid on SQLite (${dialect})`, async () => {
    const t = await setup();
    try {
      const columns = await t.store.all<{ name: string; type: string }>(t.store.dialect.columnsQuery('_changes'));
      assert.equal(columns.find((c) => c.name === 'seq')?.type.toUpperCase(), t.store.dialect.bigIntType);
    } finally {
      await t.cleanup();
    }
  });

  it(`keeps every row and the sequence of a change log whose seq is a BIGINT key (${dialect})`, async () => {
    const opened = await open();
    try {
      await createOldLayoutLog(opened.store);
      const { records } = await withNotes(opened.store);
      const columns = await opened.store.all<{ name: string; type: string }>(
        opened.store.dialect.columnsQuery('_changes'),
      );
      assert.equal(columns.find((c) => c.name === 'seq')?.type.toUpperCase(), 'BIGINT', 'left as it was');
      assert.deepEqual(
        (await readChanges(opened.store, 0)).map((e) => [e.seq, e.action, e.record, e.before]),
        [
          [7, 'create', { id: 'r7' }, undefined],
          [8, 'update', { id: 'r7', n: 2 }, { id: 'r7' }],
        ],
      );
      const note = await records.create('notes', { title: 'new' }, {}, su);
      const [next] = await readChanges(opened.store, 8);
      assert.deepEqual([next?.seq, next?.recordId], [9, note.id]);
    } finally {
      await opened.cleanup();
    }
  });

  it(`rebuilds a change log whose seq is a BIGINT key as the rowid on request, every row and the sequence kept (${dialect})`, async () => {
    const opened = await open();
    try {
      await createOldLayoutLog(opened.store);
      const { records } = await withNotes(opened.store);
      const before = await readChanges(opened.store, 0);
      const seqType = async () =>
        (await opened.store.all<{ name: string; type: string }>(opened.store.dialect.columnsQuery('_changes')))
          .find((c) => c.name === 'seq')
          ?.type.toUpperCase();

      const oneWriter = opened.store.dialect.oneWriter;
      assert.equal(
        await changeLogLayout(opened.store),
        oneWriter ? 'old' : 'current',
        'only a SQLite log has a key to move',
      );
      assert.equal(await rekeyChangeLog(opened.store), oneWriter ? 2 : undefined);
      assert.equal(await changeLogLayout(opened.store), 'current');
      assert.equal(await rekeyChangeLog(opened.store), undefined, 'a second run has nothing to do');
      if (oneWriter) assert.equal(await seqType(), opened.store.dialect.bigIntType);
      assert.deepEqual(await readChanges(opened.store, 0), before, 'every row as it was');

      const note = await records.create('notes', { title: 'new' }, {}, su);
      const [next] = await readChanges(opened.store, 8);
      assert.deepEqual([next?.seq, next?.recordId], [9, note.id]);
    } finally {
      await opened.cleanup();
    }
  });

  it(`adds the cascadeFrom column to a change log made before it, and keeps a cascade's parents (${dialect})`, async () => {
    const opened = await open();
    try {
      await opened.store.exec(`CREATE TABLE "_changes" ("seq" BIGINT PRIMARY KEY NOT NULL, "collectionId" TEXT NOT NULL,
        "collectionName" TEXT NOT NULL, "action" TEXT NOT NULL, "recordId" TEXT NOT NULL, "record" TEXT NOT NULL,
        "before" TEXT, "created" BIGINT NOT NULL)`);
      const collections = new CollectionService(opened.store);
      await collections.load();
      await collections.ensureSystemCollections();
      await collections.create({ name: 'trips', deleteRule: '', fields: [{ name: 'title', type: 'text' }] });
      const trips = collections.get('trips').id;
      await collections.create({
        name: 'stops',
        fields: [{ name: 'trip', type: 'relation', collectionId: trips, maxSelect: 1, cascadeDelete: true }],
      });
      const records = new RecordService(opened.store, collections);
      const trip = await records.create('trips', { title: 'Rome' }, {}, su);
      const stop = await records.create('stops', { trip: trip.id }, {}, su);
      const start = await headSeq(opened.store);
      await records.delete('trips', trip.id, su);
      const [stopDeleted, tripDeleted] = await readChanges(opened.store, start);
      assert.equal(stopDeleted?.recordId, stop.id);
      assert.deepEqual(
        stopDeleted?.cascadeFrom?.map((p) => [p.collectionId, p.record.id, p.record.title]),
        [[trips, trip.id, 'Rome']],
      );
      assert.equal(tripDeleted?.recordId, trip.id);
      assert.equal(tripDeleted?.cascadeFrom, undefined);
    } finally {
      await opened.cleanup();
    }
  });
});
