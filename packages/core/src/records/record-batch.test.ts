import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/test-stores.fixture.js';
import { CollectionService } from '../collections/collection-service.js';
import { RecordService } from './record-service.js';
import { internalRequest } from './request-context.js';
import { guest, superuser } from '../schema/principal.js';
import type { Store } from '../store/store.js';

const request = internalRequest(guest, 'POST');

async function setup(store: Store) {
  const collections = new CollectionService(store);
  await collections.load();
  await collections.create({
    name: 'notes',
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: '',
    deleteRule: '',
    fields: [{ name: 'title', type: 'text', required: true }],
  });
  return new RecordService(store, collections);
}

const count = async (records: RecordService) =>
  (await records.list('notes', {}, internalRequest(superuser()))).totalItems;

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
      await assert.rejects(
        records.runInTransaction(async (tx) => {
          await tx.create('notes', { title: 'one' }, {}, request);
          await tx.create('notes', {}, {}, request);
        }),
        { code: 'RECORD_CREATE_FAILED' },
      );
      assert.equal(await count(records), 0);
    } finally {
      await cleanup();
    }
  });
});
