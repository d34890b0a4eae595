import type { ByteRange, FileStorage, StoredFile } from './file-storage.js';
import type { Readable } from 'node:stream';

/** The part of the S3 settings that chooses the backend: a frozen object, replaced whole on change. */
export interface StorageChoice {
  readonly enabled: boolean;
}

/**
 * The storage the settings choose now, as PocketBase does: the local one, or S3 when
 * `s3.enabled`. Each operation asks the settings, so a change applies at once; the S3
 * backend is built once per settings object. Files already stored stay where they are
 * (moving them is an operator's job, as in PocketBase).
 */
export class SelectedFileStorage<T extends StorageChoice> implements FileStorage {
  readonly #choice: () => T;
  readonly #local: FileStorage;
  readonly #makeS3: (settings: T) => FileStorage;
  #s3: { settings: T; storage: FileStorage } | undefined;

  constructor(choice: () => T, local: FileStorage, makeS3: (settings: T) => FileStorage) {
    this.#choice = choice;
    this.#local = local;
    this.#makeS3 = makeS3;
  }

  /** The backend in force now. */
  current(): FileStorage {
    const settings = this.#choice();
    if (!settings.enabled) return this.#local;
    if (this.#s3?.settings !== settings) this.#s3 = { settings, storage: this.#makeS3(settings) };
    return this.#s3.storage;
  }

  put(key: string, source: Readable | Buffer, size: number, contentType: string): Promise<void> {
    return this.current().put(key, source, size, contentType);
  }
  read(key: string, range?: ByteRange): Promise<Readable | undefined> {
    return this.current().read(key, range);
  }
  stat(key: string): Promise<StoredFile | undefined> {
    return this.current().stat(key);
  }
  delete(key: string): Promise<void> {
    return this.current().delete(key);
  }
  deletePrefix(prefix: string): Promise<void> {
    return this.current().deletePrefix(prefix);
  }
  list(prefix?: string): AsyncIterable<StoredFile> {
    return this.current().list(prefix);
  }
}
