import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/test-stores.fixture.js';
import { CollectionService } from './collection-service.js';
import { sql } from '../sql/sql.js';
import { isAppError } from '../errors/app-error.js';
import type { Store } from '../store/store.js';

const notes = {
  name: 'notes',
  type: 'base',
  listRule: '',
  viewRule: '',
  createRule: null,
  updateRule: null,
  deleteRule: null,
  fields: [
    { name: 'title', type: 'text' },
    { name: 'count', type: 'number' },
    { name: 'done', type: 'bool' },
  ],
};

async function columns(store: Store, table: string): Promise<string[]> {
  const rows =
    store.dialect.name === 'sqlite'
      ? await store.all<{ name: string }>(sql`SELECT "name" FROM pragma_table_info(${table})`)
      : await store.all<{ name: string }>(
          sql`SELECT column_name AS "name" FROM information_schema.columns WHERE table_name = ${table} ORDER BY ordinal_position`,
        );
  return rows.map((r) => r.name).sort();
}

forEachStore((_name, open) => {
  it('creates a table with a column per field and the id first', async () => {
    const { store, cleanup } = await open();
    try {
      const service = new CollectionService(store);
      await service.load();
      const created = await service.create(notes);
      assert.equal(created.fields[0]!.name, 'id');
      assert.match(created.id, /^pbc_\d+$/);
      assert.deepEqual(await columns(store, 'notes'), ['count', 'done', 'id', 'title']);
    } finally {
      await cleanup();
    }
  });

  it('renames, retypes, adds and removes fields while keeping unaffected data', async () => {
    const { store, cleanup } = await open();
    try {
      const service = new CollectionService(store);
      await service.load();
      const created = await service.create(notes);
      await store.run(
        sql`INSERT INTO "notes" ("id", "title", "count", "done") VALUES (${'n1'}, ${'keep me'}, ${7}, ${store.dialect.bindValue(true)})`,
      );
      const [id, title, count] = created.fields;
      await service.update('notes', {
        fields: [id, { ...title, name: 'heading' }, { ...count, type: 'text' }, { name: 'extra', type: 'json' }],
      });
      assert.deepEqual(await columns(store, 'notes'), ['count', 'extra', 'heading', 'id']);
      const row = await store.first<{ heading: string; count: string }>(
        sql`SELECT "heading", "count" FROM "notes" WHERE "id" = ${'n1'}`,
      );
      assert.equal(row?.heading, 'keep me');
      assert.equal(row?.count, '');
    } finally {
      await cleanup();
    }
  });

  it('builds indexes from their definitions and rejects unknown columns', async () => {
    const { store, cleanup } = await open();
    try {
      const service = new CollectionService(store);
      await service.load();
      const created = await service.create({ ...notes, indexes: ['CREATE UNIQUE INDEX idx_title ON notes (title)'] });
      assert.deepEqual(created.indexes, ['CREATE UNIQUE INDEX `idx_title` ON `notes` (`title`)']);
      await assert.rejects(
        service.update('notes', { indexes: ['CREATE INDEX idx_x ON notes (nope)'] }),
        (e) => isAppError(e) && 'indexes' in e.data,
      );
      await assert.rejects(
        service.update('notes', { indexes: ['CREATE INDEX x ON notes (title); DROP TABLE notes'] }),
        isAppError,
      );
      assert.deepEqual(await columns(store, 'notes'), ['count', 'done', 'id', 'title']);
    } finally {
      await cleanup();
    }
  });

  it('rejects invalid definitions with field-level data', async () => {
    const { store, cleanup } = await open();
    try {
      const service = new CollectionService(store);
      await service.load();
      await assert.rejects(service.create({ name: 'bad name!', fields: [] }), (e) => isAppError(e) && 'name' in e.data);
      await assert.rejects(
        service.create({ name: 'x', fields: [{ name: 'a', type: 'nope' }] }),
        (e) => isAppError(e) && 'fields' in e.data,
      );
      await assert.rejects(
        service.create({ name: 'x', fields: [{ name: 'a', type: 'relation', collectionId: 'missing' }] }),
        isAppError,
      );
      await assert.rejects(service.create({ name: '_system', fields: [] }), isAppError);
      await service.create(notes);
      await assert.rejects(service.create({ ...notes, name: 'NOTES' }), (e) => isAppError(e) && 'name' in e.data);
    } finally {
      await cleanup();
    }
  });

  it('imports the same file twice without changing anything the second time', async () => {
    const { store, cleanup } = await open();
    try {
      const service = new CollectionService(store);
      await service.load();
      const file = [
        notes,
        { name: 'tags', type: 'base', fields: [{ name: 'note', type: 'relation', collectionId: 'notes' }] },
      ];
      assert.deepEqual((await service.import(file)).created, ['notes', 'tags']);
      const before = JSON.stringify(service.all());
      const second = await service.import(file);
      assert.deepEqual(second, { created: [], updated: [], unchanged: ['notes', 'tags'], deleted: [], notices: [] });
      assert.equal(JSON.stringify(service.all()), before);
    } finally {
      await cleanup();
    }
  });

  it('reports each collection an import settles, deletions included, as done of total', async () => {
    const { store, cleanup } = await open();
    try {
      const service = new CollectionService(store);
      await service.load();
      await service.import([notes, { name: 'old', type: 'base', fields: [] }]);
      const steps: string[] = [];
      const file = [notes, { name: 'tags', type: 'base', fields: [] }];
      const result = await service.import(file, {
        deleteMissing: true,
        onProgress: (done, total) => steps.push(`${done}/${total}`),
      });
      assert.deepEqual(result, { created: ['tags'], updated: [], unchanged: ['notes'], deleted: ['old'], notices: [] });
      assert.deepEqual(steps, ['1/3', '2/3', '3/3']);
    } finally {
      await cleanup();
    }
  });

  it('refuses to delete a collection another one relates to', async () => {
    const { store, cleanup } = await open();
    try {
      const service = new CollectionService(store);
      await service.load();
      await service.import([
        notes,
        { name: 'tags', type: 'base', fields: [{ name: 'note', type: 'relation', collectionId: 'notes' }] },
      ]);
      await assert.rejects(service.delete('notes'), isAppError);
      await service.delete('tags');
      await service.delete('notes');
      assert.equal(service.all().length, 0);
    } finally {
      await cleanup();
    }
  });

  it('rolls back the whole schema change when one statement fails', async () => {
    const { store, cleanup } = await open();
    try {
      const service = new CollectionService(store);
      await service.load();
      await service.create(notes);
      await service.create({
        name: 'other',
        fields: [{ name: 'title', type: 'text' }],
        indexes: ['CREATE INDEX idx_clash ON other (title)'],
      });
      // The index name is taken by another table, so the DDL fails half-way.
      await assert.rejects(
        service.update('notes', {
          fields: [...service.get('notes').fields, { name: 'added', type: 'text' }],
          indexes: ['CREATE INDEX idx_clash ON notes (title)'],
        }),
        isAppError,
      );
      assert.deepEqual(await columns(store, 'notes'), ['count', 'done', 'id', 'title']);
      assert.equal(service.get('notes').fields.length, 4);
    } finally {
      await cleanup();
    }
  });
});
