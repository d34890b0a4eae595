import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import PocketBase from 'pocketbase';
import { checkBackupArchive, defaultBackupLimits } from '@tandem/core';
import { filesUnder } from '../testing/files-under.fixture.js';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';
import { fileCollections } from '../testing/file-collections.fixture.js';
import { startServe, type ServeProcess } from '../testing/spawn-tandem.fixture.js';

const MiB = 1024 * 1024;

/** Resolves once a backup is being written: its work files or its staged archive exist. */
async function backupUnderWay(dir: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const work = filesUnder(join(dir, '.backups-work'));
    const staged = filesUnder(join(dir, 'backups', '.staging'));
    if (work.some((file) => file.endsWith('archive.zip')) || staged.length > 0) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.fail('no backup was seen under way');
}

describe('kill -9 during a backup', () => {
  let fixture: ServeFixture;
  let restarted: ServeProcess | undefined;

  before(async () => {
    fixture = await startServeFixture('sqlite', { superuser: true, collections: fileCollections() });
  });
  after(async () => {
    await restarted?.stop();
    await fixture.dispose();
  });

  it('leaves no half archive in the list and a consistent database', async () => {
    const pb = new PocketBase(fixture.server.url);
    pb.autoCancellation(false);
    await pb.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
    // A large stored file makes the archive take a while to write.
    await pb.collection('docs').create({ title: 'big', big: new File([Buffer.alloc(128 * MiB, 3)], 'big.bin') });
    const creating = pb.backups.create('crash.zip').catch(() => undefined);
    await backupUnderWay(fixture.dir);
    fixture.server.child.kill('SIGKILL');
    await new Promise((resolve) => fixture.server.child.once('exit', resolve));
    await creating;

    restarted = await startServe(['--dir', fixture.dir, '--no-request-log']);
    const again = new PocketBase(restarted.url);
    await again.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
    for (const backup of await again.backups.getFullList()) {
      // Only a whole archive may be listed (the backup may have finished just before the kill).
      const checked = await checkBackupArchive(join(fixture.dir, 'backups', backup.key), defaultBackupLimits);
      checked.zip.close();
    }
    assert.deepEqual(filesUnder(join(fixture.dir, 'backups', '.staging')), []);
    assert.deepEqual(filesUnder(join(fixture.dir, '.backups-work')), []);
    const db = new Database(join(fixture.dir, 'data.db'), { readonly: true });
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
    assert.deepEqual(
      (await again.collection('docs').getFullList()).map((d) => d.title),
      ['big'],
    );
  });
});
