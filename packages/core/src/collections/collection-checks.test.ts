import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/test-stores.fixture.js';
import { CollectionService } from './collection-service.js';
import { isAppError, type AppError } from '../errors/app-error.js';

const notes = {
  id: 'pbc_notes000001',
  name: 'notes',
  type: 'base',
  listRule: 'owner = @request.auth.id',
  fields: [
    { name: 'title', type: 'text' },
    { name: 'owner', type: 'text' },
  ],
};

function refused(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(isAppError(error), String(error));
    assert.equal((error as AppError).code, 'COLLECTION_INVALID');
    assert.match((error as AppError).message, pattern);
    return true;
  };
}

function refusedIn(key: string, pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(isAppError(error), String(error));
    const entry = (error as AppError).data[key] as { code: string; message: string };
    assert.equal(entry.code, 'validation_invalid_view_query');
    assert.match(entry.message, pattern);
    return true;
  };
}

forEachStore((name, open) => {
  async function service() {
    const opened = await open();
    const collections = new CollectionService(opened.store);
    await collections.load();
    return { collections, cleanup: opened.cleanup };
  }

  it('refuses an import whose rule names a missing field, naming the collection, the rule and the position', async () => {
    const { collections, cleanup } = await service();
    try {
      const broken = { ...notes, viewRule: 'owner = @request.auth.id && secret = 1' };
      const other = { name: 'tags', type: 'base', fields: [{ name: 'label', type: 'text' }] };
      await assert.rejects(
        collections.import([other, broken]),
        refused(/notes .*item 2.*viewRule.*secret.*position 29/),
      );
      assert.equal(collections.find('tags'), undefined, 'nothing of the import was applied');
    } finally {
      await cleanup();
    }
  });

  it('refuses a collection change through the API that leaves a rule naming a removed field', async () => {
    const { collections, cleanup } = await service();
    try {
      await collections.create(notes);
      await assert.rejects(
        collections.update('notes', { fields: [{ name: 'title', type: 'text' }] }),
        refused(/Invalid rule in collection notes: listRule: .*owner.*position 1/),
      );
      await assert.rejects(
        collections.create({ ...notes, id: undefined, name: 'n2', deleteRule: 'nope > 1' }),
        refused(/deleteRule/),
      );
    } finally {
      await cleanup();
    }
  });

  it('checks --delete-missing whole before changing anything', async () => {
    const { collections, cleanup } = await service();
    try {
      await collections.import([notes, { name: 'keep', type: 'base', fields: [] }]);
      const refers = { name: 'refers', type: 'base', fields: [{ name: 'n', type: 'relation', collectionId: 'notes' }] };
      await collections.create(refers);
      const file = [{ name: 'fresh', type: 'base', fields: [] }, { name: 'keep', type: 'base', fields: [] }, refers];
      await assert.rejects(collections.import(file, { deleteMissing: true }), refused(/still referenced/));
      assert.equal(collections.find('fresh'), undefined);
      assert.ok(collections.find('notes'));
    } finally {
      await cleanup();
    }
  });

  it('refuses index definitions it cannot rebuild, naming the collection', async () => {
    const { collections, cleanup } = await service();
    try {
      const bad = { ...notes, indexes: ['CREATE INDEX `i` ON `notes` (lower(title))'] };
      await assert.rejects(
        collections.import([bad]),
        refused(/Collection notes \(item 1 of the import\): indexes: Unsupported index/),
      );
      const where = { ...notes, indexes: ["CREATE INDEX `i` ON `notes` (`title`) WHERE `missing` != ''"] };
      await assert.rejects(collections.import([where]), refused(/Unknown column missing in index i/));
    } finally {
      await cleanup();
    }
  });

  it('checks a view query: one SELECT, no writes, an id column', async () => {
    const { collections, cleanup } = await service();
    try {
      await collections.create(notes);
      const view = (viewQuery: string) => collections.create({ name: 'v', type: 'view', viewQuery, listRule: '' });
      await assert.rejects(view('DELETE FROM notes'), refusedIn('viewQuery', /must be a SELECT/));
      await assert.rejects(view('SELECT id FROM notes; DROP TABLE notes'), refusedIn('viewQuery', /one statement/));
      await assert.rejects(
        view('SELECT id, (UPDATE notes SET title = 1) FROM notes'),
        refusedIn('viewQuery', /"UPDATE"/),
      );
      await assert.rejects(view('SELECT title FROM notes'), refused(/"id" column/));
      await assert.rejects(view('SELECT id FROM missing_table'), refused(/cannot run on/));
      const created = await view('SELECT id, title, owner FROM notes');
      assert.deepEqual(
        created.fields.map((f) => [f.name, f.type]),
        [
          ['id', 'text'],
          ['title', 'text'],
          ['owner', 'text'],
        ],
      );
      assert.equal(created.createRule, null);
    } finally {
      await cleanup();
    }
  });

  it("refuses a view that selects an auth collection's password hash", async () => {
    const { collections, cleanup } = await service();
    try {
      await collections.ensureSystemCollections();
      const view = (viewQuery: string) => collections.create({ name: 'v', type: 'view', viewQuery, listRule: '' });
      await assert.rejects(view('SELECT id, email, password FROM users'), refused(/password hash/));
      const created = await view('SELECT id, email, "tokenKey" FROM users');
      assert.equal(
        created.fields.find((f) => f.name === 'tokenKey')?.hidden,
        true,
        'a hidden source field stays hidden',
      );
    } finally {
      await cleanup();
    }
  });

  it(`refuses a view whose SQL ${name} cannot run, saying which database`, async () => {
    const { collections, cleanup } = await service();
    try {
      await collections.create(notes);
      // strftime is SQLite's; to_char is PostgreSQL's: each database refuses the other's.
      const foreign = name === 'postgres' ? "strftime('%Y', 'now')" : "to_char(now(), 'YYYY')";
      const database = name === 'postgres' ? 'PostgreSQL' : 'SQLite';
      await assert.rejects(
        collections.create({ name: 'v', type: 'view', viewQuery: `SELECT id, ${foreign} AS y FROM notes` }),
        refused(new RegExp(`cannot run on ${database}`)),
      );
    } finally {
      await cleanup();
    }
  });
});
