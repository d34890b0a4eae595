import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import PocketBase from 'pocketbase';
import { checkBackupArchive, defaultBackupLimits } from '@tandem/core';
import { filesUnder } from '../testing/files-under.fixture.js';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';
import { fileCollections } from '../testing/file-collections.fixture.js';
import { startServe, type ServeProcess } from '../testing/spawn-tandem.fixture.js';

const MiB = 1024 * 1024;

/** Resolves once `seen()` holds, checked at every turn of the event loop. */
async function once(what: string, seen: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (seen()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.fail(`never seen: ${what}`);
}

/** A backup is being written: its work files or its staged archive exist. */
const backupUnderWay = (dir: string) => () =>
  filesUnder(join(dir, '.backups-work')).some((file) => file.endsWith('archive.zip')) ||
  filesUnder(join(dir, 'backups', '.staging')).length > 0;

/** A restore is being unpacked: its staging folder holds files. */
const restoreUnderWay = (dir: string) => () =>
  readdirSync(dir).some((name) => name.startsWith('.restore-staging-') && filesUnder(join(dir, name)).length > 0);

async function killNine(server: ServeProcess): Promise<void> {
  server.child.kill('SIGKILL');
  await new Promise((resolve) => server.child.once('exit', resolve));
}

async function signIn(url: string): Promise<PocketBase> {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  await pb.collection('_superusers').authWithPassword(fixtureSuperuser.email, fixtureSuperuser.password);
  return pb;
}

function assertSound(dir: string): void {
  const db = new Database(join(dir, 'data.db'), { readonly: true });
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();
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
    const pb = await signIn(fixture.server.url);
    // A large stored file makes the archive take a while to write.
    await pb.collection('docs').create({ title: 'big', big: new File([Buffer.alloc(128 * MiB, 3)], 'big.bin') });
    const creating = pb.backups.create('crash.zip').catch(() => undefined);
    await once('a backup under way', backupUnderWay(fixture.dir));
    await killNine(fixture.server);
    await creating;

    restarted = await startServe(['--dir', fixture.dir, '--no-request-log']);
    const again = await signIn(restarted.url);
    for (const backup of await again.backups.getFullList()) {
      // Only a whole archive may be listed (the backup may have finished just before the kill).
      const checked = await checkBackupArchive(join(fixture.dir, 'backups', backup.key), defaultBackupLimits);
      checked.zip.close();
    }
    assert.deepEqual(filesUnder(join(fixture.dir, 'backups', '.staging')), []);
    assert.deepEqual(filesUnder(join(fixture.dir, '.backups-work')), []);
    assertSound(fixture.dir);
    assert.deepEqual(
      (await again.collection('docs').getFullList()).map((d) => d.title),
      ['big'],
    );
  });

  it('kill -9 during a restore leaves the old data or the restored data, whole', async () => {
    const pb = await signIn(restarted!.url);
    await pb.backups.create('whole.zip');
    await pb.collection('docs').create({ title: 'after the backup' });
    const restoring = pb.backups.restore('whole.zip').catch(() => undefined);
    await once('a restore under way', restoreUnderWay(fixture.dir));
    await killNine(restarted!);
    await restoring;

    restarted = await startServe(['--dir', fixture.dir, '--no-request-log']);
    const again = await signIn(restarted.url);
    const titles = (await again.collection('docs').getFullList()).map((d) => d.title);
    // Killed before the commit rename: the old data; after it: the restored data.
    assert.ok(
      JSON.stringify(titles) === '["big","after the backup"]' || JSON.stringify(titles) === '["big"]',
      titles.join(', '),
    );
    assert.deepEqual(
      readdirSync(fixture.dir).filter((name) => name.startsWith('.restore')),
      [],
    );
    assertSound(fixture.dir);
  });
});
