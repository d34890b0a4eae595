import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestPostgresDatabase, postgresSkipReason } from '../testing/test-databases.fixture.js';
import { recordingPool } from '../testing/recording-pool.fixture.js';
import { createPostgresStore } from '../storage/postgres/postgres-store.js';
import { withChangeNotifications } from '../changes/change-notifying-store.js';
import type { ChangeEvent } from '../changes/change-log.js';
import { CollectionService } from '../collections/collection-service.js';
import { guest, superuser } from '../schema/principal.js';
import { RecordService } from './record-service.js';
import { internalRequest } from './request-context.js';

/** The first word of each statement the transactions sent. */
const verbs = (sent: readonly string[]) => sent.map((text) => text.trim().split(/\s/)[0]);

/**
 * A create on PostgreSQL whose insert is its only statement (no rule to test, nothing to
 * read back, no relation or auth checks) runs it alone: one round trip, not BEGIN, it,
 * COMMIT. Every other create keeps its transaction.
 */
describe('creates on PostgreSQL', { skip: postgresSkipReason }, () => {
  let database: Awaited<ReturnType<typeof createTestPostgresDatabase>>;
  let pool: pg.Pool;
  let sent: string[];
  let records: RecordService;
  const acked: ChangeEvent[] = [];

  before(async () => {
    database = await createTestPostgresDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    pool.on('error', () => undefined);
    const recording = recordingPool(pool);
    sent = recording.sent;
    const store = withChangeNotifications(createPostgresStore({ pool: recording.pool }), (_ids, changes) => {
      acked.push(...changes);
    });
    const collections = new CollectionService(store);
    await collections.load();
    await collections.create({ name: 'open', createRule: '', fields: [{ name: 'title', type: 'text' }] });
    await collections.create({
      name: 'ruled',
      createRule: "title != 'no'",
      fields: [{ name: 'title', type: 'text' }],
    });
    records = new RecordService(store, collections);
  });
  after(async () => {
    await pool.end();
    await database.drop();
  });

  it('sends one statement for a create with an open rule, and its change is sequenced', async () => {
    sent.length = 0;
    acked.length = 0;
    const created = await records.create('open', { title: 'alone' }, {}, internalRequest(guest));
    assert.deepEqual(verbs(sent), ['WITH']);
    const row = await pool.query('SELECT "title" FROM "open" WHERE "id" = $1', [created.id]);
    assert.equal(row.rows[0]?.title, 'alone');
    assert.equal(acked.length, 1);
    assert.equal(acked[0]?.recordId, created.id);
    assert.ok(acked[0]!.seq > 0);
  });

  it('keeps BEGIN and COMMIT when a rule is tested after the insert, and refuses without a trace', async () => {
    sent.length = 0;
    await records.create('ruled', { title: 'yes' }, {}, internalRequest(guest));
    assert.deepEqual(verbs(sent), ['BEGIN', 'WITH', 'SELECT', 'COMMIT']);
    await assert.rejects(records.create('ruled', { title: 'no' }, {}, internalRequest(guest)));
    const refused = await pool.query(`SELECT COUNT(*)::int AS n FROM "ruled" WHERE "title" = 'no'`);
    assert.equal(refused.rows[0]?.n, 0);
    const staged = await pool.query('SELECT COUNT(*)::int AS n FROM "_changes" WHERE "collectionName" = $1', ['ruled']);
    assert.equal(staged.rows[0]?.n, 1, 'only the allowed create was logged');
  });

  it('keeps the transaction for a superuser in a batch: nested creates do not end it', async () => {
    sent.length = 0;
    await records.runInTransaction(async (tx) => {
      await tx.create('open', { title: 'batch-1' }, {}, internalRequest(superuser()));
      await tx.create('open', { title: 'batch-2' }, {}, internalRequest(superuser()));
    });
    assert.deepEqual(verbs(sent), ['BEGIN', 'WITH', 'WITH', 'COMMIT']);
  });
});
