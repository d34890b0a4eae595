import type { Collection } from '../schema/collection.js';
import { selectRecordById } from './record-read.js';
import type { RecordDeps } from './record-deps.js';
import { namesOf } from './record-file-values.js';

/** Files younger than this are left alone: an upload may be between its store and its commit. */
export const DEFAULT_ORPHAN_AGE_MS = 60 * 60 * 1000;

/**
 * Deletes stored files that no record holds: those a crash left between upload and
 * commit, or between commit and the deletion of replaced files, and those of removed
 * collections and fields. A thumbnail goes with its original. Only files older than
 * `olderThanMs` are considered, so uploads in flight are safe. Answers how many it deleted.
 */
export async function sweepOrphanFiles(deps: RecordDeps, olderThanMs = DEFAULT_ORPHAN_AGE_MS): Promise<number> {
  const storage = deps.files;
  if (!storage) return 0;
  const cutoff = deps.now().getTime() - olderThanMs;
  // Listings come grouped by record (a directory walk, or S3's key order), so one
  // record's names at a time are enough.
  let current = { key: '', names: undefined as Set<string> | undefined };
  let deleted = 0;
  for await (const file of storage.list()) {
    if (file.modified.getTime() > cutoff) continue;
    const [collectionId = '', recordId = '', first = '', ...rest] = file.key.split('/');
    const recordKey = `${collectionId}/${recordId}`;
    if (current.key !== recordKey) current = { key: recordKey, names: await heldNames(deps, collectionId, recordId) };
    const name = rest.length > 0 && first.startsWith('thumbs_') ? first.slice(7) : rest.length === 0 ? first : '';
    if (current.names?.has(name)) continue;
    await storage.delete(file.key);
    deleted++;
  }
  return deleted;
}

/** The file names a record holds now, or undefined when the record or its collection is gone. */
async function heldNames(deps: RecordDeps, collectionId: string, recordId: string) {
  const collection = deps.collections.find(collectionId);
  if (!collection || collection.id !== collectionId || collection.type === 'view') return undefined;
  const record = await selectRecordById(deps, deps.store, collection, recordId, 'bypass');
  return record ? new Set(fileNames(collection, record)) : undefined;
}

function fileNames(collection: Collection, record: Record<string, unknown>): string[] {
  return collection.fields.filter((f) => f.type === 'file').flatMap((f) => namesOf(record[f.name]));
}
