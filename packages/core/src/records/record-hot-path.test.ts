import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/test-stores.fixture.js';
import { CollectionService } from '../collections/collection-service.js';
import { guest, superuser } from '../schema/principal.js';
import { RecordService } from './record-service.js';
import { internalRequest } from './request-context.js';
import type { RequestContext } from './request-context.js';

const asGuest = internalRequest(guest);
const asAdmin = internalRequest(superuser());

async function openServices(
  open: () => Promise<{ store: import('../store/store.js').Store; cleanup(): Promise<void> }>,
) {
  const { store, cleanup } = await open();
  const collections = new CollectionService(store);
  await collections.load();
  return { store, collections, records: new RecordService(store, collections), cleanup };
}

forEachStore((_name, open) => {
  it('never serves a cached statement across a schema change', async () => {
    const { collections, records, cleanup } = await openServices(open);
    try {
      await collections.create({
        name: 'notes',
        type: 'base',
        listRule: '',
        viewRule: '',
        createRule: '',
        fields: [{ name: 'title', type: 'text' }],
      });
      const { id } = await records.create('notes', { title: 'a' }, {}, asGuest);
      assert.deepEqual(Object.keys(await records.view('notes', id, {}, asGuest)), [
        'collectionId',
        'collectionName',
        'id',
        'title',
      ]);

      await collections.update('notes', {
        fields: [...collections.get('notes').fields, { name: 'rank', type: 'number' }],
      });
      const second = await records.create('notes', { title: 'b', rank: 2 }, {}, asGuest);
      assert.equal(second.rank, 2);
      assert.equal((await records.view('notes', id, {}, asGuest)).rank, 0);

      await collections.update('notes', {
        name: 'memos',
        fields: collections.get('notes').fields.filter((f) => f.name !== 'title'),
      });
      assert.deepEqual(Object.keys(await records.view('memos', id, {}, asGuest)), [
        'collectionId',
        'collectionName',
        'id',
        'rank',
      ]);
      assert.equal((await records.view('memos', second.id, {}, asGuest)).collectionName, 'memos');
    } finally {
      await cleanup();
    }
  });

  it('answers a create exactly as reading the record back would', async () => {
    const { collections, records, cleanup } = await openServices(open);
    try {
      await collections.create({
        name: 'things',
        type: 'base',
        listRule: '',
        viewRule: '',
        createRule: '',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'n', type: 'number' },
          { name: 'ok', type: 'bool' },
          { name: 'data', type: 'json' },
          { name: 'tags', type: 'select', values: ['x', 'y', 'z'], maxSelect: 3 },
          { name: 'secret', type: 'text', hidden: true },
          { name: 'created', type: 'autodate', onCreate: true, onUpdate: false },
        ],
      });
      const bodies = [
        {},
        {
          title: 'plain',
          n: 0.1,
          ok: true,
          data: { b: 1, a: [1, 'two', null], '10': { z: true } },
          tags: ['z', 'x'],
          secret: 's',
        },
        { title: 'emoji 😀 and \u2028 and "quotes"', n: -0, data: 'text', tags: 'y' },
        { title: 'lone \ud800 surrogate', n: 1e21, data: [3, 2, 1], secret: '\udfff' },
        { title: 'x', n: 123456789.12345679, data: { aa: 1, b: 2, a: 3 } },
      ];
      for (const body of bodies) {
        for (const request of [asGuest, asAdmin]) {
          const created = await records.create('things', body, {}, request);
          const read = await records.view('things', created.id, {}, request);
          assert.equal(JSON.stringify(created), JSON.stringify(read), JSON.stringify(body));
        }
      }
    } finally {
      await cleanup();
    }
  });

  it('still applies non-public view rules and 403s on locked ones', async () => {
    const { collections, records, cleanup } = await openServices(open);
    try {
      await collections.create({
        name: 'docs',
        type: 'base',
        listRule: '',
        viewRule: "@request.headers.x_key = 'open'",
        createRule: '',
        fields: [{ name: 'title', type: 'text' }],
      });
      await collections.create({ name: 'locked', type: 'base', viewRule: null, createRule: '', fields: [] });
      const { id } = await records.create('docs', { title: 't' }, {}, asGuest);
      const withKey = (key: string): RequestContext => ({ ...asGuest, headers: { x_key: key } });
      assert.equal((await records.view('docs', id, {}, withKey('open'))).id, id);
      await assert.rejects(records.view('docs', id, {}, withKey('closed')), { code: 'RECORD_NOT_FOUND' });
      const locked = await records.create('locked', {}, {}, asGuest);
      await assert.rejects(records.view('locked', locked.id, {}, asGuest), { code: 'SUPERUSER_ONLY' });
      assert.equal((await records.view('locked', locked.id, {}, asAdmin)).id, locked.id);
    } finally {
      await cleanup();
    }
  });
});
