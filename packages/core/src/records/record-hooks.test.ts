import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/test-stores.fixture.js';
import { CollectionService } from '../collections/collection-service.js';
import { RecordService } from './record-service.js';
import { internalRequest } from './request-context.js';
import { guest, superuser } from '../schema/principal.js';
import type { Store } from '../store/store.js';
import { AppError } from '../errors/app-error.js';

const request = internalRequest(guest, 'POST');
const root = internalRequest(superuser());

async function setup(store: Store) {
  const collections = new CollectionService(store);
  await collections.load();
  const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
  await collections.create({ name: 'notes', ...open, fields: [{ name: 'title', type: 'text' }] });
  await collections.create({ name: 'log', ...open, fields: [{ name: 'line', type: 'text' }] });
  return new RecordService(store, collections);
}

const titles = async (records: RecordService, collection = 'notes') =>
  (await records.list(collection, {}, root)).items.map((r) => r.title ?? r.line);

forEachStore((_name, open) => {
  describe('record hooks', () => {
    it('change the submitted record before next() and see the stored one after it', async () => {
      const { store, cleanup } = await open();
      try {
        const records = await setup(store);
        let seenId: unknown;
        records.hooks.onRecordCreate.add(
          async (e) => {
            e.record.title = String(e.record.title).toUpperCase();
            await e.next();
            seenId = e.record.id;
          },
          ['notes'],
        );
        const created = await records.create('notes', { title: 'quiet' }, {}, request);
        assert.equal(created.title, 'QUIET');
        assert.equal(seenId, created.id);
        assert.deepEqual(
          await records.create('log', { line: 'untouched' }, {}, request).then((r) => r.line),
          'untouched',
        );
      } finally {
        await cleanup();
      }
    });

    it('roll the write back when a hook throws after next(), with what it wrote in the transaction', async () => {
      const { store, cleanup } = await open();
      try {
        const records = await setup(store);
        records.hooks.onRecordCreate.add(async (e) => {
          await e.next();
          await e.records.create('log', { line: 'inside' }, {}, root);
          throw new AppError('VALIDATION_FAILED', 'refused after the insert');
        });
        await assert.rejects(records.create('notes', { title: 'a' }, {}, request), { code: 'VALIDATION_FAILED' });
        assert.deepEqual(await titles(records), []);
        assert.deepEqual(await titles(records, 'log'), []);
      } finally {
        await cleanup();
      }
    });

    it('refuse a write with FORBIDDEN when a handler returns without next()', async () => {
      const { store, cleanup } = await open();
      try {
        const records = await setup(store);
        const created = await records.create('notes', { title: 'keep' }, {}, request);
        records.hooks.onRecordDelete.add(() => undefined, ['notes']);
        await assert.rejects(records.delete('notes', created.id, request), { code: 'FORBIDDEN' });
        assert.deepEqual(await titles(records), ['keep']);
      } finally {
        await cleanup();
      }
    });

    it('run in a batch transaction, and the after-commit hooks only once it committed', async () => {
      const { store, cleanup } = await open();
      try {
        const records = await setup(store);
        const events: string[] = [];
        records.hooks.onRecordUpdate.add(async (e) => {
          events.push(`update ${e.record.title}`);
          e.record.title = `${e.record.title}!`;
          await e.next();
        });
        records.hooks.onRecordAfterCreateSuccess.add(async (e) => {
          events.push(`created ${e.record.title}`);
          await e.next();
        });
        await records.runInTransaction(async (tx) => {
          const created = await tx.create('notes', { title: 'one' }, {}, request);
          await tx.update('notes', created.id, { title: 'two' }, {}, request);
          events.push('batch done');
        });
        assert.deepEqual(events, ['update two', 'batch done', 'created one']);
        assert.deepEqual(await titles(records), ['two!']);
      } finally {
        await cleanup();
      }
    });

    it('shape view and list answers', async () => {
      const { store, cleanup } = await open();
      try {
        const records = await setup(store);
        const created = await records.create('notes', { title: 'a' }, {}, request);
        records.hooks.onRecordViewRequest.add(
          (e) => {
            e.record = { ...e.record, shaped: true };
            return e.next();
          },
          ['notes'],
        );
        records.hooks.onRecordsListRequest.add(
          (e) => {
            e.result = { ...e.result, items: e.result.items.map((r) => ({ ...r, listed: true })) };
            return e.next();
          },
          ['notes'],
        );
        assert.equal((await records.view('notes', created.id, {}, request)).shaped, true);
        assert.equal((await records.list('notes', {}, request)).items[0]?.listed, true);
      } finally {
        await cleanup();
      }
    });

    it('keep a handler that outlived its time budget from writing through the ended transaction', async () => {
      const { store, cleanup } = await open();
      try {
        const records = await setup(store);
        records.hooks.setBudget(200);
        let wake!: () => void;
        const woken = new Promise<void>((resolve) => (wake = resolve));
        let zombie!: Promise<unknown>;
        records.hooks.onRecordCreate.add(async (e) => {
          await e.next();
          await woken;
          zombie = e.records.create('log', { line: 'too late' }, {}, root);
          await zombie;
        });
        await assert.rejects(records.create('notes', { title: 'slow' }, {}, request), { code: 'HOOK_TIMEOUT' });
        wake();
        await new Promise<void>((resolve) => setImmediate(resolve));
        await assert.rejects(zombie, /transaction has ended/);
        assert.deepEqual(await titles(records), []);
        assert.deepEqual(await titles(records, 'log'), []);
      } finally {
        await cleanup();
      }
    });

    it('time out a handler that never resolves, and roll its write back', async () => {
      const { store, cleanup } = await open();
      try {
        const records = await setup(store);
        records.hooks.setBudget(200);
        records.hooks.onRecordCreate.add(async (e) => {
          await e.next();
          await new Promise(() => undefined);
        });
        await assert.rejects(records.create('notes', { title: 'slow' }, {}, request), { code: 'HOOK_TIMEOUT' });
        // The writer was released: the next write goes through.
        records.hooks.clear();
        await records.create('notes', { title: 'next' }, {}, request);
        assert.deepEqual(await titles(records), ['next']);
      } finally {
        await cleanup();
      }
    });
  });
});
