import { AppError } from '../errors/app-error.js';

/** One key segment: a collection id, record id, file name or thumbnail folder; never `.` or `..`. */
const SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9_.+=#*@-]{1,255}$/;

/**
 * Checks that a storage key is relative, made of safe segments and free of `..`, so
 * no key can name anything outside the storage root or bucket prefix.
 */
export function assertFileKey(key: string): string {
  const parts = key.split('/');
  if (parts.length > 8 || !parts.every((part) => SEGMENT.test(part))) throw new AppError('FILE_NAME_INVALID');
  return key;
}

/** The folder of a record's files: `collectionId/recordId/`. */
export function recordFilePrefix(collectionId: string, recordId: string): string {
  return `${assertFileKey(`${collectionId}/${recordId}`)}/`;
}

/** The key of one stored file of a record. */
export function recordFileKey(collectionId: string, recordId: string, filename: string): string {
  return assertFileKey(`${collectionId}/${recordId}/${filename}`);
}

/** The key of a thumbnail: PocketBase's `collectionId/recordId/thumbs_<name>/<size>_<name>`. */
export function thumbFileKey(collectionId: string, recordId: string, filename: string, size: string): string {
  return assertFileKey(`${collectionId}/${recordId}/thumbs_${filename}/${size}_${filename}`);
}
