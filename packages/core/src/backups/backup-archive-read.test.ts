import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAppError } from '../errors/app-error.js';
import { createTempDir } from '../testing/test-databases.fixture.js';
import { extractBackupArchive } from './backup-archive-read.js';
import { defaultBackupLimits, type BackupLimits } from './backup-limits.js';
import { buildZip, sqliteHeader, type ZipEntrySpec } from '../testing/backup-zip.fixture.js';

const MiB = 1024 * 1024;
const database = { name: 'data.db', data: sqliteHeader() };

describe('extractBackupArchive', () => {
  let dir: { path: string; remove(): Promise<void> };
  let count = 0;
  before(async () => {
    dir = await createTempDir();
  });
  after(() => dir.remove());

  /** Writes `zip` and extracts it; answers the error's `data.file.code` (or 'ok') and whether anything was unpacked. */
  async function extract(zip: Buffer, limits: BackupLimits = defaultBackupLimits) {
    const n = ++count;
    const archive = join(dir.path, `archive-${n}.zip`);
    const target = join(dir.path, `out-${n}`);
    await writeFile(archive, zip);
    try {
      await extractBackupArchive(archive, target, limits);
      return { code: 'ok', target };
    } catch (error) {
      assert.ok(isAppError(error), String(error));
      assert.equal(error.code, 'BACKUP_ARCHIVE_INVALID');
      return { code: (error.data as { file: { code: string } }).file.code, target };
    }
  }

  /** The archive is refused with `code` before anything is unpacked. */
  async function refusedBeforeUnpacking(entries: ZipEntrySpec[], code: string, limits?: BackupLimits) {
    const result = await extract(buildZip(entries), limits);
    assert.equal(result.code, code);
    assert.equal(existsSync(result.target), false, 'nothing may be written');
  }

  it('unpacks data.db and the stored files', async () => {
    const photo = Buffer.from('a photo');
    const result = await extract(
      buildZip([database, { name: 'storage/col/rec/photo.png', data: photo, deflate: true }]),
    );
    assert.equal(result.code, 'ok');
    assert.deepEqual(await readFile(join(result.target, 'storage/col/rec/photo.png')), photo);
    assert.ok(existsSync(join(result.target, 'data.db')));
  });

  it('refuses a name that climbs out with ../', () =>
    refusedBeforeUnpacking(
      [database, { name: 'storage/../../evil.txt', data: Buffer.from('x') }],
      'validation_archive_path',
    ));

  it('refuses an absolute path', () =>
    refusedBeforeUnpacking([database, { name: '/tmp/evil.txt', data: Buffer.from('x') }], 'validation_archive_path'));

  it('refuses a name with a backslash', () =>
    refusedBeforeUnpacking(
      [database, { name: 'storage\\..\\evil.txt', data: Buffer.from('x') }],
      'validation_archive_path',
    ));

  it('refuses an entry outside data.db and storage/', () =>
    refusedBeforeUnpacking([database, { name: 'tandem.json', data: Buffer.from('{}') }], 'validation_archive_path'));

  it('refuses a symlink entry', () =>
    refusedBeforeUnpacking(
      [database, { name: 'storage/link', data: Buffer.from('/etc/passwd'), mode: 0o120777 }],
      'validation_archive_link',
    ));

  it('refuses a zip bomb by its compression ratio', () =>
    refusedBeforeUnpacking(
      [database, { name: 'storage/zeros.bin', data: Buffer.alloc(20 * MiB), deflate: true }],
      'validation_archive_ratio',
    ));

  it('refuses more entries than the limit', () =>
    refusedBeforeUnpacking(
      [database, ...Array.from({ length: 5 }, (_, i) => ({ name: `storage/f${i}`, data: Buffer.from('x') }))],
      'validation_archive_entries',
      { ...defaultBackupLimits, maxEntries: 4 },
    ));

  it('refuses an archive that unpacks past the size limit', () =>
    refusedBeforeUnpacking(
      [database, { name: 'storage/big.bin', data: Buffer.alloc(64 * 1024, 1) }],
      'validation_archive_too_large',
      { ...defaultBackupLimits, maxUnpackedBytes: 32 * 1024 },
    ));

  it('refuses an archive without data.db', () =>
    refusedBeforeUnpacking([{ name: 'storage/a.txt', data: Buffer.from('x') }], 'validation_archive_no_database'));

  it('refuses an entry that appears twice', () =>
    refusedBeforeUnpacking([database, database], 'validation_archive_path'));

  it('refuses a truncated zip', async () => {
    const whole = buildZip([database, { name: 'storage/a.txt', data: Buffer.alloc(10_000, 2) }]);
    const result = await extract(whole.subarray(0, whole.length - 40));
    assert.equal(result.code, 'validation_archive_unreadable');
    assert.equal(existsSync(result.target), false);
  });

  it('refuses what is not a zip at all', async () => {
    const result = await extract(Buffer.from('PK\x03\x04 but nothing more'));
    assert.equal(result.code, 'validation_archive_unreadable');
  });

  it('stops an entry that unpacks to more than it declared (a lying bomb)', async () => {
    const lying = { name: 'storage/lie.bin', data: Buffer.alloc(4 * MiB), deflate: true, declaredSize: 100 };
    const result = await extract(buildZip([database, lying]));
    assert.equal(result.code, 'validation_archive_unreadable');
    const written = existsSync(join(result.target, 'storage'))
      ? readdirSync(join(result.target, 'storage'), { recursive: true })
      : [];
    assert.ok(written.length <= 1, 'at most the partial entry, which the caller removes');
  });
});
