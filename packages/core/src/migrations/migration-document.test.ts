import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAppError } from '../errors/app-error.js';
import { createTempDir } from '../testing/test-databases.fixture.js';
import { parseMigrationDocument } from './migration-document.js';
import { listMigrationFiles, migrationName, readMigration, writeMigration } from './migration-files.js';

/** Asserts that reading `text` as a migration is refused with MIGRATION_INVALID and a message matching `message`. */
function refused(text: string, message: RegExp): void {
  assert.throws(
    () => parseMigrationDocument('1_x.json', text),
    (error) => {
      assert.ok(isAppError(error), String(error));
      assert.equal(error.code, 'MIGRATION_INVALID');
      assert.match(error.message, /^Migration 1_x\.json /);
      assert.match(error.message, message);
      return true;
    },
  );
}

describe('parseMigrationDocument', () => {
  it('reads every kind of step', () => {
    const document = parseMigrationDocument(
      '1_x.json',
      JSON.stringify({
        description: 'all of them',
        up: [
          { op: 'create', collection: { name: 'a' } },
          { op: 'update', collection: { name: 'a', listRule: '' } },
          { op: 'import', collections: [], deleteMissing: true },
          { op: 'sql', sql: 'UPDATE "a" SET "n" = {:n}', params: { n: 1 }, dialect: 'postgres' },
          { op: 'delete', collection: 'a' },
        ],
      }),
    );
    assert.deepEqual(
      document.up.map((s) => s.op),
      ['create', 'update', 'import', 'sql', 'delete'],
    );
    assert.deepEqual(document.down, []);
  });

  it('refuses text that is not a migration, saying where and why', () => {
    refused('{"up": [', /is not valid JSON/);
    refused('[]', /must hold a JSON object/);
    refused('{"up": [], "exec": "rm -rf /"}', /unknown key "exec"/);
    refused('{"down": []}', /"up" must be an array/);
    refused('{"up": [{"op": "shell", "cmd": "ls"}]}', /up\[0\]\.op must be one of create, update, delete, import, sql/);
    refused(
      '{"up": [], "down": [{"op": "delete", "collection": ""}]}',
      /down\[0\]\.collection must be a collection id or name/,
    );
    refused('{"up": [{"op": "create", "collection": {}, "sql": "DROP TABLE x"}]}', /up\[0\] has an unknown key "sql"/);
    refused('{"up": [{"op": "import", "collections": {}}]}', /up\[0\]\.collections must be an array/);
  });

  it('refuses SQL steps whose values could become SQL text or are missing', () => {
    refused('{"up": [{"op": "sql", "sql": "  "}]}', /up\[0\]\.sql must be a non-empty string/);
    refused('{"up": [{"op": "sql", "sql": "SELECT {:a}", "params": {"a": {"x": 1}}}]}', /params\.a must be a string/);
    refused('{"up": [{"op": "sql", "sql": "SELECT {:a}"}]}', /\{:a\} has no value/);
    refused('{"up": [{"op": "sql", "sql": "SELECT 1", "params": {"typo": 1}}]}', /params\.typo is used by no/);
    refused('{"up": [{"op": "sql", "sql": "SELECT 1", "dialect": "mysql"}]}', /dialect must be "sqlite" or "postgres"/);
  });

  it('refuses hostile JSON: prototype keys, deep nesting, NUL characters', () => {
    refused('{"up": [], "__proto__": {"polluted": true}}', /./);
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
    refused(`{"up": [${'['.repeat(5000)}${']'.repeat(5000)}]}`, /nests too deep|deep/i);
    refused('{"up": [{"op": "delete", "collection": "a\\u0000b"}]}', /NUL/);
  });
});

describe('migration files', () => {
  it('are listed in the order they apply, notes and dot files left alone', async (t) => {
    const dir = await createTempDir();
    t.after(dir.remove);
    for (const name of ['20_b.json', '3_c.json', '20_a.json', 'README.md', '.gitkeep'])
      await writeFile(join(dir.path, name), '{"up": []}');
    assert.deepEqual(await listMigrationFiles(dir.path), ['3_c.json', '20_a.json', '20_b.json']);
    assert.deepEqual(await listMigrationFiles(join(dir.path, 'none')), []);
  });

  it('of another kind are refused by name rather than skipped', async (t) => {
    const dir = await createTempDir();
    t.after(dir.remove);
    await writeFile(join(dir.path, '1687801090_created_posts.js'), 'migrate((app) => {})');
    await assert.rejects(listMigrationFiles(dir.path), /1687801090_created_posts\.js is not a migration file name/);
  });

  it('that are folders or missing are refused with their name', async (t) => {
    const dir = await createTempDir();
    t.after(dir.remove);
    await mkdir(join(dir.path, '1_dir.json'));
    await assert.rejects(readMigration(dir.path, '1_dir.json'), /1_dir\.json is not a regular file/);
    await assert.rejects(readMigration(dir.path, '2_gone.json'), /2_gone\.json is missing/);
    await assert.rejects(readMigration(dir.path, '../1_up.json'), /"\.\.\/1_up\.json" is not a migration file name/);
  });

  it('written in the same second still apply in the order they were written', async (t) => {
    const dir = await createTempDir();
    t.after(dir.remove);
    const now = new Date('2026-01-01T00:00:00Z');
    const empty = { description: undefined, up: [], down: [] };
    const first = await writeMigration(dir.path, 'updated_posts', empty, now);
    const second = await writeMigration(dir.path, 'deleted_posts', empty, now);
    assert.equal(first, '1767225600_updated_posts.json');
    assert.equal(second, '1767225601_deleted_posts.json');
    assert.deepEqual(await listMigrationFiles(dir.path), [first, second]);
  });

  it('get names of lowercase letters, digits and underscores', () => {
    assert.equal(migrationName('Add Posts & Tags!'), 'add_posts_tags');
    assert.throws(() => migrationName('../../'), /not a usable migration name/);
  });
});
