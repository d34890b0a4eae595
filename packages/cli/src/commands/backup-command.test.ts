import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { buildZip, createTempDir, createTestPostgresDatabase, postgresSkipReason } from '@tandem/core/testing';
import { fixtureSuperuser } from '../testing/serve-fixture.fixture.js';
import { runTandem, startServe } from '../testing/spawn-tandem.fixture.js';

async function titles(url: string): Promise<string[]> {
  const pb = new PocketBase(url);
  await pb.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
  return (await pb.collection('notes').getFullList()).map((r) => r.title);
}

describe('tandem backup', () => {
  let dir: { path: string; remove(): Promise<void> };
  before(async () => {
    dir = await createTempDir();
  });
  after(() => dir.remove());

  it('creates a backup and restores it, from its name or from a zip on disk, at the next start', async () => {
    const data = join(dir.path, 'data');
    const args = ['--dir', data];
    assert.equal(
      (await runTandem(['superuser', 'upsert', fixtureSuperuser.email, fixtureSuperuser.password, ...args])).code,
      0,
    );
    const collections = join(dir.path, 'notes.json');
    await writeFile(
      collections,
      JSON.stringify({ collections: [{ name: 'notes', type: 'base', fields: [{ name: 'title', type: 'text' }] }] }),
    );
    assert.equal((await runTandem(['collections', 'import', collections, ...args])).code, 0);

    let server = await startServe(args);
    const pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
    await pb.collection('notes').create({ title: 'first' });
    // Beside the running server: its own connection and work folder.
    const created = await runTandem(['backup', 'create', 'first.zip', ...args]);
    assert.deepEqual([created.code, created.stdout.trim()], [0, 'backup first.zip created']);
    await pb.collection('notes').create({ title: 'second' });

    const staged = await runTandem(['backup', 'restore', 'first.zip', ...args]);
    assert.equal(staged.code, 0, staged.stderr);
    assert.deepEqual(await titles(server.url), ['first', 'second'], 'the running server keeps its data');
    await server.stop();
    server = await startServe(args);
    assert.deepEqual(await titles(server.url), ['first']);
    await server.stop();

    const copy = join(dir.path, 'copy.zip');
    await writeFile(copy, await readFile(join(data, 'backups', 'first.zip')));
    await rm(join(data, 'backups', 'first.zip'));
    const fromFile = await runTandem(['backup', 'restore', copy, ...args]);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    server = await startServe(args);
    assert.deepEqual(await titles(server.url), ['first']);
    await server.stop();
    assert.deepEqual(
      readdirSync(data).filter((name) => name.startsWith('.restore')),
      [],
    );
  });

  it('refuses a hostile zip from disk and stages nothing', async () => {
    const data = join(dir.path, 'hostile');
    const zip = join(dir.path, 'hostile.zip');
    await writeFile(zip, buildZip([{ name: '../escape.txt', data: Buffer.from('x') }]));
    const refused = await runTandem(['backup', 'restore', zip, '--dir', data]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /validation_archive_path/);
    assert.equal(existsSync(join(data, '.restore-pending')), false);
  });

  it('says that PostgreSQL is backed up with its own tools', { skip: postgresSkipReason }, async () => {
    const database = await createTestPostgresDatabase();
    try {
      const refused = await runTandem(['backup', 'create', '--dir', join(dir.path, 'pg'), '--db', database.url]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /SQLite only/);
    } finally {
      await database.drop();
    }
  });
});
