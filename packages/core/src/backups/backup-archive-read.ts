import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { AppError } from '../errors/app-error.js';
import { writeNewFile } from '../files/write-new-file.js';
import { ARCHIVE_DATABASE, ARCHIVE_STORAGE, syncFile } from './backup-archive-write.js';
import type { BackupLimits } from './backup-limits.js';

/** One path segment an archive entry may use: no `.`/`..`, no separators, no control characters. */
const SEGMENT = /^(?!\.{1,2}$)[^/\\\0-\x1f:]{1,255}$/;
/** Entries smaller than this are not held to the compression ratio (a small file of zeros is no bomb). */
const RATIO_FLOOR_BYTES = 1024 * 1024;
/** The file type bits of a zip entry's Unix mode (the high half of its external attributes). */
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

/** The entries of a checked archive, still open for reading. */
export interface CheckedArchive {
  readonly zip: yauzl.ZipFile;
  readonly files: readonly yauzl.Entry[];
}

/**
 * Opens a backup zip and checks it whole before a byte is unpacked: it must be a
 * readable zip, hold at most `maxEntries` entries, only `data.db` and files under
 * `storage/` (no absolute path, no `..`, no link, no device, no encryption, no
 * duplicate), unpack to at most `maxUnpackedBytes` in total, and no entry over 1 MiB may
 * unpack more than `maxCompressionRatio` times its packed size. Throws
 * BACKUP_ARCHIVE_INVALID with `data.file.code` naming the failed check.
 */
export async function checkBackupArchive(path: string, limits: BackupLimits): Promise<CheckedArchive> {
  const zip = await openZip(path);
  try {
    if (zip.entryCount > limits.maxEntries)
      throw invalid('validation_archive_entries', `The archive holds more than ${limits.maxEntries} entries.`);
    const entries = await readEntries(zip);
    const files = entries.filter((entry) => !entry.fileName.endsWith('/'));
    for (const entry of entries) assertSafeEntry(entry, limits);
    assertUnique(entries);
    const unpacked = files.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
    if (unpacked > limits.maxUnpackedBytes)
      throw invalid(
        'validation_archive_too_large',
        `The archive unpacks to more than ${limits.maxUnpackedBytes} bytes.`,
      );
    if (!files.some((entry) => entry.fileName === ARCHIVE_DATABASE))
      throw invalid('validation_archive_no_database', `The archive holds no ${ARCHIVE_DATABASE}.`);
    return { zip, files };
  } catch (error) {
    zip.close();
    throw error;
  }
}

/**
 * Checks the archive (see checkBackupArchive), then unpacks it under `target`, which
 * must not exist yet; every file is synced. Sizes are checked again as bytes come
 * (an entry that unpacks to other than it declared fails), so the limits hold even
 * for a lying archive. On failure `target` may hold part of it: the caller removes it.
 */
export async function extractBackupArchive(path: string, target: string, limits: BackupLimits): Promise<void> {
  const { zip, files } = await checkBackupArchive(path, limits);
  try {
    await mkdir(join(target, ARCHIVE_STORAGE), { recursive: true });
    for (const entry of files) await extractEntry(zip, entry, target);
  } finally {
    zip.close();
  }
}

async function extractEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, target: string): Promise<void> {
  const root = resolve(target);
  const path = resolve(root, entry.fileName);
  // NB: the names were checked already; this only guards that check.
  if (!path.startsWith(root + sep)) throw invalid('validation_archive_path', 'An entry points outside the archive.');
  await mkdir(dirname(path), { recursive: true });
  try {
    const stream = await zip.openReadStreamPromise(entry);
    await writeNewFile(path, stream as Readable);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw invalid('validation_archive_unreadable', `The entry ${entry.fileName} cannot be read whole.`);
  }
  await syncFile(path);
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((done, fail) => {
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: true },
      (error, zip) => (error ? fail(unreadable(error)) : done(zip)),
    );
  });
}

function readEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((done, fail) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => done(entries));
    zip.on('error', (error: Error) => fail(unreadable(error)));
    zip.readEntry();
  });
}

function assertSafeEntry(entry: yauzl.Entry, limits: BackupLimits): void {
  const name = entry.fileName;
  const parts = name.replace(/\/$/, '').split('/');
  const allowed = name === ARCHIVE_DATABASE || (parts[0] === ARCHIVE_STORAGE && parts.length <= 10);
  if (!allowed || !parts.every((part) => SEGMENT.test(part)))
    throw invalid(
      'validation_archive_path',
      `The entry ${JSON.stringify(name)} is not data.db or a file under storage/.`,
    );
  const type = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR)
    throw invalid('validation_archive_link', `The entry ${JSON.stringify(name)} is a link or a device, not a file.`);
  if (entry.isEncrypted() || !entry.canDecodeFileData())
    throw invalid(
      'validation_archive_unreadable',
      `The entry ${JSON.stringify(name)} is encrypted or uses an unknown method.`,
    );
  const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
  if (entry.uncompressedSize > RATIO_FLOOR_BYTES && ratio > limits.maxCompressionRatio)
    throw invalid(
      'validation_archive_ratio',
      `The entry ${JSON.stringify(name)} unpacks ${Math.round(ratio)} times its size.`,
    );
}

function assertUnique(entries: readonly yauzl.Entry[]): void {
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.fileName))
      throw invalid('validation_archive_path', `The entry ${JSON.stringify(entry.fileName)} appears twice.`);
    seen.add(entry.fileName);
  }
}

/** yauzl's refusals: absolute and `..` names are its path errors; anything else is an unreadable zip. */
function unreadable(error: Error): AppError {
  return /absolute path|invalid relative path|invalid characters/i.test(error.message)
    ? invalid('validation_archive_path', 'An entry points outside the archive.')
    : invalid('validation_archive_unreadable', 'The file is not a readable zip archive (truncated or corrupt).');
}

function invalid(code: string, message: string): AppError {
  return new AppError('BACKUP_ARCHIVE_INVALID', undefined, { file: { code, message } });
}
