import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors/app-error.js';
import { ARCHIVE_DATABASE, ARCHIVE_STORAGE } from './backup-archive-write.js';
import { extractBackupArchive } from './backup-archive-read.js';
import type { BackupLimits } from './backup-limits.js';

/** Where a SQLite server keeps its data: the directory, the database file and the stored files. */
export interface DataLayout {
  /** The data directory: staging folders live here (on the same file system, so renames are atomic). */
  readonly dir: string;
  /** The SQLite database file. */
  readonly database: string;
  /** The local file storage's root (`<dir>/storage`). */
  readonly storage: string;
}

/** A checked, unpacked archive waiting for the next start; its rename into place is the commit point. */
const PENDING = '.restore-pending';
/** A restore being swapped in: a start that finds it finishes the swap. */
const APPLYING = '.restore-applying';
const STAGING_PREFIX = '.restore-staging-';
const SQLITE_MAGIC = 'SQLite format 3\0';
/** The files of one SQLite database; the journal files go with the database they belong to. */
const DATABASE_FILES = ['-wal', '-shm', '-journal', ''];

/**
 * Unpacks a backup zip beside the data and leaves it ready for the next start: checked
 * (see extractBackupArchive), its `data.db` a SQLite file that `checkDatabase` accepts
 * (sound, and Tandem's), synced, then renamed to `.restore-pending` in one step. A crash
 * before that rename leaves only a staging folder, removed at the next start; the live
 * data is untouched either way.
 */
export async function stageRestore(
  layout: DataLayout,
  archive: string,
  limits: BackupLimits,
  checkDatabase: (file: string) => Promise<boolean>,
): Promise<void> {
  const staging = join(layout.dir, `${STAGING_PREFIX}${randomBytes(6).toString('hex')}`);
  try {
    await extractBackupArchive(archive, staging, limits);
    await assertSqliteFile(join(staging, ARCHIVE_DATABASE));
    if (!(await checkDatabase(join(staging, ARCHIVE_DATABASE))))
      throw noDatabase(`The archive's ${ARCHIVE_DATABASE} is damaged or not a Tandem database.`);
    await rm(join(layout.dir, PENDING), { recursive: true, force: true });
    await rename(staging, join(layout.dir, PENDING));
    await syncDir(layout.dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** True when a restore waits for the next start. */
export function hasPendingRestore(layout: DataLayout): boolean {
  return existsSync(join(layout.dir, PENDING)) || existsSync(join(layout.dir, APPLYING));
}

/**
 * Swaps a staged restore in, before the database is opened: the live database (with its
 * `-wal` and `-shm`, which belong to it) and storage move aside, the restored ones move
 * in, and the old ones are deleted. Every step is a rename that a later start can redo
 * or skip, so a crash half-way is finished by the next start. Answers whether a restore
 * was applied; also removes staging folders a crash left.
 */
export async function applyPendingRestore(layout: DataLayout): Promise<boolean> {
  await removeStaleStaging(layout.dir);
  const pending = join(layout.dir, PENDING);
  const applying = join(layout.dir, APPLYING);
  if (existsSync(pending) && !existsSync(applying)) await rename(pending, applying);
  if (!existsSync(applying)) return false;
  const previous = join(applying, 'previous');
  await mkdir(previous, { recursive: true });
  if (existsSync(join(applying, ARCHIVE_DATABASE))) {
    for (const suffix of DATABASE_FILES)
      await moveIfPresent(`${layout.database}${suffix}`, join(previous, `${ARCHIVE_DATABASE}${suffix}`));
    await rename(join(applying, ARCHIVE_DATABASE), layout.database);
  }
  if (existsSync(join(applying, ARCHIVE_STORAGE))) {
    await moveIfPresent(layout.storage, join(previous, ARCHIVE_STORAGE));
    await rename(join(applying, ARCHIVE_STORAGE), layout.storage);
  }
  await syncDir(layout.dir);
  await rm(applying, { recursive: true, force: true });
  await rm(pending, { recursive: true, force: true });
  return true;
}

async function moveIfPresent(from: string, to: string): Promise<void> {
  if (!existsSync(from)) return;
  await rm(to, { recursive: true, force: true });
  await rename(from, to);
}

async function removeStaleStaging(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names)
    if (name.startsWith(STAGING_PREFIX)) await rm(join(dir, name), { recursive: true, force: true });
}

async function assertSqliteFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    await handle.read(head, 0, head.length, 0);
    if (head.toString('latin1') === SQLITE_MAGIC) return;
  } finally {
    await handle.close();
  }
  throw noDatabase(`The archive's ${ARCHIVE_DATABASE} is not a SQLite database.`);
}

function noDatabase(message: string): AppError {
  return new AppError('BACKUP_ARCHIVE_INVALID', undefined, {
    file: { code: 'validation_archive_no_database', message },
  });
}

/** fsync of a directory, so that the renames in it survive a power loss. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
