import type { FileStorage } from '../files/file-storage.js';
import type { RecordDeps } from './record-deps.js';

/**
 * What a write does to stored files besides its transaction: files it stored before
 * committing (deleted again when the transaction fails) and files it made obsolete
 * (deleted only after the commit, so a rolled-back write never loses a file). A crash
 * between the two leaves at worst unreferenced files, which the orphan sweep removes.
 */
export class FileEffects {
  readonly #storage: FileStorage | undefined;
  readonly #stored: string[] = [];
  readonly #obsolete: string[] = [];

  constructor(storage: FileStorage | undefined) {
    this.#storage = storage;
  }

  /** Notes a key that was stored for this write. */
  stored(key: string): void {
    this.#stored.push(key);
  }

  /** Deletes `keyOrPrefix` (a prefix ends with `/`) once the write has committed. */
  deleteAfterCommit(keyOrPrefix: string): void {
    this.#obsolete.push(keyOrPrefix);
  }

  /** After COMMIT: removes what the write made obsolete. */
  async committed(): Promise<void> {
    await removeAll(this.#storage, this.#obsolete.splice(0));
    this.#stored.length = 0;
  }

  /** After ROLLBACK: removes what the write had stored. */
  async rolledBack(): Promise<void> {
    await removeAll(this.#storage, this.#stored.splice(0));
    this.#obsolete.length = 0;
  }
}

/**
 * Runs a write with file effects: its own when the caller has none (a single action),
 * or the surrounding batch's, which settles them after the batch's one commit.
 */
export async function withFileEffects<T>(deps: RecordDeps, work: (deps: RecordDeps) => Promise<T>): Promise<T> {
  if (deps.fileEffects || !deps.files) return work(deps);
  const effects = new FileEffects(deps.files);
  let result: T;
  try {
    result = await work({ ...deps, fileEffects: effects });
  } catch (error) {
    await effects.rolledBack();
    throw error;
  }
  await effects.committed();
  return result;
}

/**
 * Best effort: a file that cannot be removed now (storage down) stays an orphan for
 * the sweep; the write itself has already been decided.
 */
async function removeAll(storage: FileStorage | undefined, keys: readonly string[]): Promise<void> {
  if (!storage) return;
  for (const key of keys)
    await (key.endsWith('/') ? storage.deletePrefix(key) : storage.delete(key)).catch(() => undefined);
}

/** Schedules the deletion, after commit, of the named files of a record and their thumbnails. */
export function deleteFilesAfterCommit(
  deps: RecordDeps,
  collectionId: string,
  recordId: string,
  names: string[],
): void {
  for (const name of names) {
    deps.fileEffects?.deleteAfterCommit(`${collectionId}/${recordId}/${name}`);
    deps.fileEffects?.deleteAfterCommit(`${collectionId}/${recordId}/thumbs_${name}/`);
  }
}
