import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import type { FileStorage } from '../files/file-storage.js';
import { writeNewFile } from '../files/write-new-file.js';

/** Where the database snapshot sits in an archive (PocketBase's name in `pb_data`). */
export const ARCHIVE_DATABASE = 'data.db';
/** The folder of stored files in an archive (PocketBase's `pb_data/storage`). */
export const ARCHIVE_STORAGE = 'storage';

/**
 * Writes a backup zip to `target`: the database snapshot as `data.db` (deflated) and,
 * when given, every stored file as `storage/<key>` (stored as is: uploads are mostly
 * compressed already). Files are read one at a time, so the archive's size, not its
 * entry count, bounds the work; a file deleted since it was listed is written empty.
 * The zip is synced to disk before this resolves.
 */
export async function writeBackupArchive(target: string, database: string, files?: FileStorage): Promise<void> {
  const zip = new yazl.ZipFile();
  const written = writeNewFile(target, zip.outputStream as Readable);
  zip.addFile(database, ARCHIVE_DATABASE, { compress: true });
  if (files) for (const key of await listKeys(files)) addStoredFile(zip, files, key);
  zip.end();
  await written;
  await syncFile(target);
}

async function listKeys(files: FileStorage): Promise<string[]> {
  const keys: string[] = [];
  for await (const file of files.list()) keys.push(file.key);
  return keys;
}

/** Adds one stored file, opened only when the zip reaches it (an empty entry when it vanished meanwhile). */
function addStoredFile(zip: yazl.ZipFile, files: FileStorage, key: string): void {
  zip.addReadStreamLazy(`${ARCHIVE_STORAGE}/${key}`, { compress: false }, (done) => {
    files.read(key).then(
      (stream) => done(null, stream ?? Readable.from([])),
      (error: Error) => done(error, Readable.from([])),
    );
  });
}

/** fsync, so that the rename that publishes the archive never publishes bytes a power loss could drop. */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
