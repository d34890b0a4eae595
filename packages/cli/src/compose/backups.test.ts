import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  CollectionService,
  createSqliteStore,
  LocalFileStorage,
  SettingsService,
  hasPendingRestore,
  type Store,
} from '@tandem/core';
import { createTempDir, startTestS3Server, type TestS3Server } from '@tandem/core/testing';
import { dataLayoutOf, openBackups } from './backups.js';

describe('openBackups with backups.s3 enabled', () => {
  let dir: { path: string; remove(): Promise<void> };
  let s3: TestS3Server;
  let store: Store;

  before(async () => {
    dir = await createTempDir();
    s3 = await startTestS3Server('tandem-backups');
    const file = join(dir.path, 'data.db');
    store = createSqliteStore({ writer: new Database(file), reader: new Database(file) }, { synchronous: 'NORMAL' });
  });
  after(async () => {
    await store.close();
    await s3.close();
    await dir.remove();
  });

  it('stores archives in the bucket, not in <dir>/backups, and restores from there', async () => {
    const collections = new CollectionService(store);
    await collections.load(); // a restore accepts only Tandem's databases
    const settings = new SettingsService(store);
    await settings.load();
    const { endpoint, bucket, region, accessKey, secret } = s3;
    await settings.update({
      backups: { s3: { enabled: true, endpoint, bucket, region, accessKey, secret, forcePathStyle: true } },
    });
    const files = await new LocalFileStorage(join(dir.path, 'storage')).open();
    await files.put('col/rec/note.txt', Buffer.from('a stored file'), 13, 'text/plain');
    let restarts = 0;
    const config = { dir: dir.path, db: join(dir.path, 'data.db') };
    const backups = await openBackups(config, files, settings, () => restarts++, true);

    await backups.create('in-s3.zip');
    assert.deepEqual(
      (await backups.list()).map((b) => b.key),
      ['in-s3.zip'],
    );
    assert.deepEqual(
      readdirSync(join(dir.path, 'backups')).filter((name) => !name.startsWith('.')),
      [],
      'nothing stored locally',
    );
    const download = await backups.download('in-s3.zip');
    const chunks: Buffer[] = [];
    for await (const chunk of await download.open()) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).subarray(0, 2).toString(), 'PK');

    await backups.restore('in-s3.zip');
    assert.equal(restarts, 1);
    assert.ok(hasPendingRestore(dataLayoutOf(config)!));
    const pending = join(dir.path, '.restore-pending');
    assert.equal(readFileSync(join(pending, 'storage', 'col', 'rec', 'note.txt'), 'utf8'), 'a stored file');
    assert.equal(readFileSync(join(pending, 'data.db')).subarray(0, 15).toString(), 'SQLite format 3');
  });
});
