import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { forEachStore, type TestStore } from '../testing/test-stores.fixture.js';
import { createTempDir } from '../testing/test-databases.fixture.js';
import { CollectionService } from '../collections/collection-service.js';
import { isAppError } from '../errors/app-error.js';
import { sql } from '../sql/sql.js';
import type { Store } from '../store/store.js';
import { Migrator } from './migrator.js';
import { writeMigrationsOfChanges } from './migration-writer.js';
import { appliedMigrations } from './migrations-table.js';
import { schemaSnapshot } from './schema-snapshot.fixture.js';

const posts = {
  name: 'posts',
  type: 'base',
  listRule: '',
  viewRule: '',
  fields: [
    { name: 'title', type: 'text', required: true },
    { name: 'status', type: 'select', values: ['draft', 'live'], maxSelect: 1 },
    { name: 'author', type: 'relation', collectionId: 'users', maxSelect: 1 },
  ],
  indexes: ['CREATE INDEX idx_posts_title ON posts (title)'],
};
const comments = {
  name: 'comments',
  type: 'base',
  fields: [
    { name: 'body', type: 'text' },
    { name: 'post', type: 'relation', collectionId: 'posts', maxSelect: 1 },
  ],
};

/** A database with the system collections, as `tandem` opens one. */
async function openCollections(store: Store): Promise<CollectionService> {
  const collections = new CollectionService(store);
  await collections.load();
  await collections.ensureSystemCollections();
  return collections;
}

/** Changes a schema through the service's public methods, as the API does: creates, updates (a rename), deletes. */
async function evolveSchema(collections: CollectionService): Promise<void> {
  await collections.create(posts);
  await collections.create(comments);
  await collections.create({ name: 'drafts', type: 'base', fields: [{ name: 'text', type: 'text' }] });
  const current = collections.get('posts');
  await collections.update('posts', {
    listRule: '@request.auth.id != ""',
    fields: current.fields.map((f) => (f.name === 'title' ? { ...f, name: 'headline' } : f)),
    indexes: ['CREATE INDEX idx_posts_headline ON posts (headline)'],
  });
  await collections.delete('drafts');
  await collections.create({ name: 'members', type: 'auth', fields: [{ name: 'nickname', type: 'text' }] });
  await collections.update('members', { authRule: 'verified = true', manageRule: null });
  await collections.create({
    name: 'headlines',
    type: 'view',
    listRule: '',
    viewQuery: 'SELECT id, headline FROM posts',
  });
}

async function write(dir: string, file: string, content: unknown): Promise<void> {
  await writeFile(join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
}

forEachStore((_name, open) => {
  const stores: TestStore[] = [];
  const opened = async () => {
    const s = await open();
    stores.push(s);
    return s.store;
  };
  const cleanup = async () => {
    for (const s of stores.splice(0)) await s.cleanup();
  };

  describe('migrations written from schema changes', () => {
    it('applied to an empty database, yield the same schema', async (t) => {
      t.after(cleanup);
      const dir = await createTempDir();
      t.after(dir.remove);
      const laptop = await opened();
      const source = await openCollections(laptop);
      source.observeChanges(writeMigrationsOfChanges(dir.path));
      await new Migrator(laptop, source, dir.path).ensureTable();
      await evolveSchema(source);

      const files = (await readdir(dir.path)).sort();
      assert.equal(files.length, 8);
      assert.match(files[0]!, /^\d+_created_posts\.json$/);
      assert.match(files.at(-1)!, /^\d+_created_headlines\.json$/);
      // Written on the laptop, they are already applied there.
      assert.deepEqual(
        (await new Migrator(laptop, source, dir.path).status()).map((m) => m.state),
        files.map(() => 'applied'),
      );

      const production = await opened();
      const target = await openCollections(production);
      const applied = await new Migrator(production, target, dir.path).up();
      assert.deepEqual(applied, files);
      assert.deepEqual(await schemaSnapshot(production, target), await schemaSnapshot(laptop, source));
      assert.deepEqual(await new Migrator(production, target, dir.path).up(), [], 'a second run applies nothing');
    });

    it('carry no secrets of auth collections', async (t) => {
      t.after(cleanup);
      const dir = await createTempDir();
      t.after(dir.remove);
      const store = await opened();
      const collections = await openCollections(store);
      await new Migrator(store, collections, dir.path).ensureTable();
      collections.observeChanges(writeMigrationsOfChanges(dir.path));
      await collections.create({ name: 'members', type: 'auth', fields: [] });
      const [file] = await readdir(dir.path);
      const text = await readFile(join(dir.path, file!), 'utf8');
      const secret = (collections.get('members') as unknown as { authToken: { secret: string } }).authToken.secret;
      assert.ok(secret && !text.includes(secret));
      assert.match(text, /"duration"/);
    });
  });

  describe('automatic migrations', () => {
    it('that cannot be written keep the schema change from landing', async (t) => {
      t.after(cleanup);
      const dir = await createTempDir();
      t.after(dir.remove);
      const store = await opened();
      const collections = await openCollections(store);
      await new Migrator(store, collections, dir.path).ensureTable();
      // A file where the folder should be: the migration cannot be written.
      const blocked = join(dir.path, 'migrations');
      await writeFile(blocked, 'not a folder');
      collections.observeChanges(writeMigrationsOfChanges(blocked));
      await assert.rejects(collections.create(posts), (error) => {
        assert.ok(isAppError(error) && error.code === 'INTERNAL');
        assert.match(error.message, /migration file could not be written \(E[A-Z]+\)/);
        assert.ok(!error.message.includes(dir.path), 'no server path in the message');
        return true;
      });
      assert.equal(collections.find('posts'), undefined);
      assert.deepEqual(await appliedMigrations(store), []);
    });
  });

  describe('automatic migrations of changes that do not land', () => {
    it('are removed again, and updates that change nothing write nothing', async (t) => {
      t.after(cleanup);
      const dir = await createTempDir();
      t.after(dir.remove);
      const store = await opened();
      const collections = await openCollections(store);
      await new Migrator(store, collections, dir.path).ensureTable();
      collections.observeChanges(writeMigrationsOfChanges(dir.path));
      await collections.create(posts);
      await collections.update('posts', { listRule: '' });
      assert.equal((await readdir(dir.path)).length, 1, 'the update changed nothing');
      // A later observer refuses: the transaction rolls back after the file was written.
      const stop = collections.observeChanges(async () => {
        throw new Error('refused by a later observer');
      });
      await assert.rejects(collections.update('posts', { listRule: null }));
      stop();
      assert.equal((await readdir(dir.path)).length, 1);
      assert.equal(collections.get('posts').listRule, '');
      assert.equal((await appliedMigrations(store)).length, 1);
    });
  });

  describe('instances that start together', () => {
    it('apply each migration once between them', async (t) => {
      t.after(cleanup);
      const dir = await createTempDir();
      t.after(dir.remove);
      const store = await opened();
      const collections = await openCollections(store);
      await write(dir.path, '1_posts.json', { up: [{ op: 'create', collection: posts }] });
      await write(dir.path, '2_comments.json', { up: [{ op: 'create', collection: comments }] });
      const first = new Migrator(store, collections, dir.path);
      const second = new Migrator(store, await openCollections(store), dir.path);
      const [a, b] = await Promise.all([first.up(), second.up()]);
      assert.deepEqual([...a, ...b].sort(), ['1_posts.json', '2_comments.json']);
      assert.equal((await appliedMigrations(store)).length, 2);
    });
  });

  describe('migrate down', () => {
    it('reverts the newest migrations one by one back to the empty schema', async (t) => {
      t.after(cleanup);
      const dir = await createTempDir();
      t.after(dir.remove);
      const laptop = await opened();
      const source = await openCollections(laptop);
      await new Migrator(laptop, source, dir.path).ensureTable();
      const empty = await schemaSnapshot(laptop, source);
      source.observeChanges(writeMigrationsOfChanges(dir.path));
      await source.create(posts);
      const withPosts = await schemaSnapshot(laptop, source);
      await source.create(comments);
      await source.update('posts', { listRule: null });
      await source.delete('comments');
      await source.create({ name: 'drafts', type: 'base', fields: [{ name: 'text', type: 'text' }] });

      const production = await opened();
      const target = await openCollections(production);
      const migrator = new Migrator(production, target, dir.path);
      await migrator.up();
      const files = (await readdir(dir.path)).sort();
      assert.deepEqual(await migrator.down(), [files.at(-1)]);
      assert.equal(target.find('drafts'), undefined);
      assert.deepEqual(await migrator.down(files.length - 2), files.slice(1, -1).reverse());
      assert.deepEqual(await schemaSnapshot(production, target), withPosts);
      await migrator.down();
      assert.deepEqual(await schemaSnapshot(production, target), empty);
      assert.deepEqual(await appliedMigrations(production), []);
      assert.deepEqual(
        (await migrator.status()).map((m) => m.state),
        files.map(() => 'pending'),
      );
    });
  });

  describe('a failing migration', () => {
    it('leaves the schema and _migrations as they were', async (t) => {
      t.after(cleanup);
      const dir = await createTempDir();
      t.after(dir.remove);
      const store = await opened();
      const collections = await openCollections(store);
      await write(dir.path, '100_create_posts.json', { up: [{ op: 'create', collection: posts }] });
      await write(dir.path, '200_broken.json', {
        up: [
          { op: 'create', collection: comments },
          { op: 'update', collection: { name: 'posts', listRule: null } },
          { op: 'sql', sql: 'UPDATE "nowhere" SET "x" = {:x}', params: { x: 1 } },
        ],
      });
      const migrator = new Migrator(store, collections, dir.path);
      await migrator.up().then(
        () => assert.fail('the broken migration applied'),
        (error) => {
          assert.ok(isAppError(error));
          assert.equal(error.code, 'MIGRATION_FAILED');
          assert.match(error.message, /200_broken\.json failed at up\[2\] \(sql\)/);
        },
      );
      assert.deepEqual(
        (await appliedMigrations(store)).map((m) => m.file),
        ['100_create_posts.json'],
      );
      assert.equal(collections.find('comments'), undefined);
      const reopened = await openCollections(store);
      assert.equal(reopened.find('comments'), undefined, 'no table or definition was kept');
      assert.equal(reopened.get('posts').listRule, '', 'the update of the same migration was rolled back');
      await assert.rejects(store.all(sql`SELECT * FROM "comments"`));
      assert.deepEqual(
        (await migrator.status()).map((m) => `${m.file} ${m.state}`),
        ['100_create_posts.json applied', '200_broken.json pending'],
      );
    });

    it('that a collection check refuses names the step and the field', async (t) => {
      t.after(cleanup);
      const dir = await createTempDir();
      t.after(dir.remove);
      const store = await opened();
      const collections = await openCollections(store);
      await write(dir.path, '1_bad_field.json', {
        up: [
          { op: 'create', collection: { name: 'x', fields: [{ name: 'n', type: 'relation', collectionId: 'nope' }] } },
        ],
      });
      await assert.rejects(new Migrator(store, collections, dir.path).up(), (error) => {
        assert.ok(isAppError(error) && error.code === 'MIGRATION_FAILED');
        assert.match(error.message, /1_bad_field\.json failed at up\[0\] \(create x\)/);
        assert.match(error.message, /fields/);
        return true;
      });
      assert.deepEqual(await appliedMigrations(store), []);
    });
  });

  describe('invalid migration files', () => {
    it('stop the run before any migration applies', async (t) => {
      t.after(cleanup);
      const dir = await createTempDir();
      t.after(dir.remove);
      const store = await opened();
      const collections = await openCollections(store);
      await write(dir.path, '1_fine.json', { up: [{ op: 'create', collection: posts }] });
      await write(dir.path, '2_hostile.json', '{"up": [{"op": "sql", "sql": "DROP TABLE users"}], "run": "rm -rf /"}');
      await assert.rejects(new Migrator(store, collections, dir.path).up(), (error) => {
        assert.ok(isAppError(error) && error.code === 'MIGRATION_INVALID');
        assert.equal(
          error.message,
          'Migration 2_hostile.json has an unknown key "run" (expected description, up, down).',
        );
        return true;
      });
      assert.equal(collections.find('posts'), undefined);
      assert.deepEqual(await appliedMigrations(store), []);
    });

    it('that delete a system collection are refused', async (t) => {
      t.after(cleanup);
      const dir = await createTempDir();
      t.after(dir.remove);
      const store = await opened();
      const collections = await openCollections(store);
      await write(dir.path, '1_drop_superusers.json', { up: [{ op: 'delete', collection: '_superusers' }] });
      await assert.rejects(
        new Migrator(store, collections, dir.path).up(),
        /failed at up\[0\] \(delete _superusers\): System collections cannot be deleted/,
      );
      assert.ok(collections.find('_superusers'));
    });
  });

  describe('sql steps', () => {
    it('bind named values as parameters and run only on their dialect', async (t) => {
      t.after(cleanup);
      const dir = await createTempDir();
      t.after(dir.remove);
      const store = await opened();
      const collections = await openCollections(store);
      const other = store.dialect.name === 'sqlite' ? 'postgres' : 'sqlite';
      await write(dir.path, '1_notes.json', {
        up: [
          { op: 'create', collection: { name: 'notes', fields: [{ name: 'text', type: 'text' }] } },
          {
            op: 'sql',
            sql: 'INSERT INTO "notes" ("id", "text") VALUES ({:id}, {:text})',
            params: { id: 'aaaaaaaaaaaaaa1', text: "it's'); DROP TABLE notes; --" },
          },
          { op: 'sql', sql: 'THIS IS NOT SQL', params: {}, dialect: other },
        ],
        down: [{ op: 'delete', collection: 'notes' }],
      });
      await new Migrator(store, collections, dir.path).up();
      const rows = await store.all<{ text: string }>(sql`SELECT "text" FROM "notes"`);
      assert.deepEqual(
        rows.map((r) => r.text),
        ["it's'); DROP TABLE notes; --"],
      );
    });
  });

  describe('status', () => {
    it('lists applied, pending, and applied migrations whose file is gone', async (t) => {
      t.after(cleanup);
      const dir = await createTempDir();
      t.after(dir.remove);
      const store = await opened();
      const collections = await openCollections(store);
      await write(dir.path, '1_a.json', { up: [] });
      await write(dir.path, '2_b.json', { up: [] });
      await write(dir.path, 'README.md', 'notes for reviewers');
      const migrator = new Migrator(store, collections, dir.path);
      await migrator.up();
      await write(dir.path, '3_c.json', { up: [] });
      await rm(join(dir.path, '1_a.json'));
      assert.deepEqual(
        (await migrator.status()).map((m) => `${m.file} ${m.state}`),
        ['1_a.json missing', '2_b.json applied', '3_c.json pending'],
      );
      await assert.rejects(migrator.down(2), /1_a\.json is missing/);
    });
  });
});
