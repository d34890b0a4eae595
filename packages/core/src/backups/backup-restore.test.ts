import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempDir } from '../testing/test-databases.fixture.js';
import { buildZip, sqliteHeader } from '../testing/backup-zip.fixture.js';
import { defaultBackupLimits } from './backup-limits.js';
import { applyPendingRestore, hasPendingRestore, stageRestore, type DataLayout } from './backup-restore.js';

/** A data directory with a live database (and its WAL) and one stored file. */
async function liveData(root: string): Promise<DataLayout> {
  const layout = { dir: root, database: join(root, 'data.db'), storage: join(root, 'storage') };
  await mkdir(join(layout.storage, 'col', 'rec'), { recursive: true });
  await writeFile(layout.database, Buffer.from('old database'));
  await writeFile(`${layout.database}-wal`, Buffer.from('old wal'));
  await writeFile(join(layout.storage, 'col', 'rec', 'old.txt'), 'old file');
  return layout;
}

const restored = sqliteHeader();
const archive = buildZip([
  { name: 'data.db', data: restored },
  { name: 'storage/col/rec/new.txt', data: Buffer.from('new file') },
]);

describe('stageRestore and applyPendingRestore', () => {
  let dir: { path: string; remove(): Promise<void> };
  let n = 0;
  before(async () => {
    dir = await createTempDir();
  });
  after(() => dir.remove());

  async function staged(): Promise<DataLayout> {
    const layout = await liveData(join(dir.path, `data-${++n}`));
    const zip = join(dir.path, `archive-${n}.zip`);
    await writeFile(zip, archive);
    await stageRestore(layout, zip, defaultBackupLimits, async () => true);
    return layout;
  }

  async function assertRestored(layout: DataLayout) {
    assert.deepEqual(await readFile(layout.database), restored);
    assert.equal(existsSync(`${layout.database}-wal`), false, "the old database's WAL must not meet the new one");
    assert.deepEqual(readdirSync(layout.storage, { recursive: true }).sort(), ['col', 'col/rec', 'col/rec/new.txt']);
    assert.deepEqual(readdirSync(layout.dir).sort(), ['data.db', 'storage']);
    assert.equal(hasPendingRestore(layout), false);
  }

  it('stages without touching the live data, and the next start swaps it in', async () => {
    const layout = await staged();
    assert.deepEqual(await readFile(layout.database), Buffer.from('old database'));
    assert.ok(hasPendingRestore(layout));
    assert.equal(await applyPendingRestore(layout), true);
    await assertRestored(layout);
    assert.equal(await applyPendingRestore(layout), false);
  });

  it('finishes a swap that a crash cut after the WAL moved aside', async () => {
    const layout = await staged();
    // What a kill -9 leaves after the first renames of applyPendingRestore.
    const applying = join(layout.dir, '.restore-applying');
    await rename(join(layout.dir, '.restore-pending'), applying);
    await mkdir(join(applying, 'previous'));
    await rename(`${layout.database}-wal`, join(applying, 'previous', 'data.db-wal'));
    assert.equal(await applyPendingRestore(layout), true);
    await assertRestored(layout);
  });

  it('finishes a swap that a crash cut after the database moved in', async () => {
    const layout = await staged();
    const applying = join(layout.dir, '.restore-applying');
    await rename(join(layout.dir, '.restore-pending'), applying);
    await mkdir(join(applying, 'previous'));
    await rename(`${layout.database}-wal`, join(applying, 'previous', 'data.db-wal'));
    await rename(layout.database, join(applying, 'previous', 'data.db'));
    await rename(join(applying, 'data.db'), layout.database);
    assert.equal(await applyPendingRestore(layout), true);
    await assertRestored(layout);
  });

  it('drops a staging folder a crash left before the commit rename', async () => {
    const layout = await liveData(join(dir.path, `data-${++n}`));
    await mkdir(join(layout.dir, '.restore-staging-abc', 'storage'), { recursive: true });
    assert.equal(await applyPendingRestore(layout), false);
    assert.deepEqual(readdirSync(layout.dir).sort(), ['data.db', 'data.db-wal', 'storage']);
  });

  it('refuses an archive whose database the check refuses, leaving nothing staged', async () => {
    const layout = await liveData(join(dir.path, `data-${++n}`));
    const zip = join(dir.path, `archive-${n}.zip`);
    await writeFile(zip, archive);
    const checked: string[] = [];
    const refuse = async (file: string) => (checked.push(file), false);
    await assert.rejects(stageRestore(layout, zip, defaultBackupLimits, refuse), (error: any) => {
      return error.code === 'BACKUP_ARCHIVE_INVALID' && error.data.file.code === 'validation_archive_no_database';
    });
    assert.equal(checked.length, 1);
    assert.equal(hasPendingRestore(layout), false);
    assert.deepEqual(readdirSync(layout.dir).sort(), ['data.db', 'data.db-wal', 'storage']);
  });

  it('refuses an archive whose data.db is not SQLite, leaving nothing staged', async () => {
    const layout = await liveData(join(dir.path, `data-${++n}`));
    const zip = join(dir.path, `archive-${n}.zip`);
    await writeFile(zip, buildZip([{ name: 'data.db', data: Buffer.from('not a database') }]));
    await assert.rejects(
      stageRestore(layout, zip, defaultBackupLimits, async () => true),
      {
        code: 'BACKUP_ARCHIVE_INVALID',
      },
    );
    assert.equal(hasPendingRestore(layout), false);
    assert.deepEqual(readdirSync(layout.dir).sort(), ['data.db', 'data.db-wal', 'storage']);
  });
});
