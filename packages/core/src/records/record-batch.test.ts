import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/test-stores.fixture.js';
import { CollectionService } from '../collections/collection-service.js';
import { RecordService } from './record-service.js';
import { internalRequest } from './request-context.js';
import { guest, superuser } from '../schema/principal.js';
import { runBatch, type BatchAction } from './record-batch.js';
import type { Store } from '../store/store.js';

const limits = { enabled: true, maxRequests: 50, timeout: 3 };
const request = internalRequest(guest, 'POST');

async function setup(store: Store) {
  const collections = new CollectionService(store);
  await collections.load();
  await collections.create({ name: 'notes', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '', fields: [{ name: 'title', type: 'text', required: true }] });
  return new RecordService(store, collections);
}

const count = async (records: RecordService) => (await records.list('notes', {}, internalRequest(superuser()))).totalItems;

forEachStore((_name, open) => {
  it('runInTransaction lets later actions read earlier writes, then commits', async () => {
    const { store, cleanup } = await open();
    try {
      const records = await setup(store);
      const seen = await records.runInTransaction(async (tx) => {
        const created = await tx.create('notes', { title: 'one' }, {}, request);
        await tx.update('notes', created.id, { title: 'two' }, {}, request);
        return (await tx.view('notes', created.id, {}, request)).title;
      });
      assert.equal(seen, 'two');
      assert.equal(await count(records), 1);
    } finally {
      await cleanup();
    }
  });

  it('runInTransaction rolls every action back when the work throws', async () => {
    const { store, cleanup } = await open();
    try {
      const records = await setup(store);
      await assert.rejects(records.runInTransaction(async (tx) => {
        await tx.create('notes', { title: 'one' }, {}, request);
        await tx.create('notes', {}, {}, request);
      }), { code: 'RECORD_CREATE_FAILED' });
      assert.equal(await count(records), 0);
    } finally {
      await cleanup();
    }
  });

  it('runBatch names the failed index and rolls back', async () => {
    const { store, cleanup } = await open();
    try {
      const records = await setup(store);
      const actions: BatchAction[] = [
        { action: 'create', collection: 'notes', body: { title: 'a' }, request },
        { action: 'delete', collection: 'notes', id: 'missingmissing1', request },
      ];
      await assert.rejects(runBatch(records, actions, limits), (error: any) => {
        assert.equal(error.code, 'BATCH_FAILED');
        assert.equal(error.data.requests[1].response.status, 404);
        return true;
      });
      assert.equal(await count(records), 0);
    } finally {
      await cleanup();
    }
  });

  it('runBatch rolls back a batch that ran past its timeout', async () => {
    const { store, cleanup } = await open();
    try {
      const records = await setup(store);
      let now = 0;
      const clock = () => (now += 1500); // each reading is 1.5 s later
      const actions: BatchAction[] = [1, 2, 3].map((n) => ({ action: 'create', collection: 'notes', body: { title: `n${n}` }, request }));
      await assert.rejects(runBatch(records, actions, limits, clock), { code: 'BATCH_TIMEOUT' });
      assert.equal(await count(records), 0);
    } finally {
      await cleanup();
    }
  });

  it('runBatch upserts: update when body.id exists, create otherwise', async () => {
    const { store, cleanup } = await open();
    try {
      const records = await setup(store);
      const existing = await records.create('notes', { title: 'old' }, {}, request);
      const results = await runBatch(records, [
        { action: 'upsert', collection: 'notes', body: { id: existing.id, title: 'new' }, request },
        { action: 'upsert', collection: 'notes', body: { id: 'brandnewid00001', title: 'fresh' }, request },
      ], limits);
      assert.deepEqual(results.map((r) => [r.status, r.body?.id, r.body?.title]), [[200, existing.id, 'new'], [200, 'brandnewid00001', 'fresh']]);
      assert.equal(await count(records), 2);
    } finally {
      await cleanup();
    }
  });
});
