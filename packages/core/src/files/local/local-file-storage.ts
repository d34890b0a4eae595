import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { assertFileKey } from '../file-keys.js';
import type { ByteRange, FileStorage, StoredFile } from '../file-storage.js';
import { writeNewFile } from '../write-new-file.js';

/** Where half-written files wait for their rename; never listed, emptied on start. */
const STAGING = '.staging';

/**
 * Files in a directory (by default `<data dir>/storage`). A file is written under
 * `.staging/`, synced, then renamed to its key: a rename within one file system is
 * atomic, so a reader (or a crash) never meets half a file.
 */
export class LocalFileStorage implements FileStorage {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  /** Creates the root and drops what a crash left half written. */
  async open(): Promise<this> {
    await rm(join(this.#root, STAGING), { recursive: true, force: true });
    await mkdir(join(this.#root, STAGING), { recursive: true });
    return this;
  }

  async put(key: string, source: Readable | Buffer, _size: number, _contentType: string): Promise<void> {
    const target = this.#path(key);
    const staged = join(this.#root, STAGING, randomBytes(12).toString('hex'));
    try {
      await writeNewFile(staged, Buffer.isBuffer(source) ? Readable.from([source]) : source);
      await syncFile(staged);
      await mkdir(dirname(target), { recursive: true });
      await rename(staged, target);
    } catch (error) {
      await rm(staged, { force: true });
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable | undefined> {
    const path = this.#path(key);
    if (!(await statOf(path))) return undefined;
    return createReadStream(path, range ? { start: range.start, end: range.end } : {});
  }

  async stat(key: string): Promise<StoredFile | undefined> {
    const found = await statOf(this.#path(key));
    return found ? { key, size: found.size, modified: found.mtime } : undefined;
  }

  async delete(key: string): Promise<void> {
    await rm(this.#path(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    if (prefix.endsWith('/')) {
      await rm(this.#path(prefix.slice(0, -1)), { recursive: true, force: true });
      return;
    }
    for await (const file of this.list(prefix)) await this.delete(file.key);
  }

  async *list(prefix = ''): AsyncIterable<StoredFile> {
    for await (const key of walk(this.#root, '')) {
      if (!key.startsWith(prefix)) continue;
      const found = await this.stat(key);
      if (found) yield found;
    }
  }

  #path(key: string): string {
    return join(this.#root, assertFileKey(key));
  }
}

/** Every file below `dir` as a key relative to the root, skipping the staging folder. */
async function* walk(root: string, relative: string): AsyncIterable<string> {
  const entries = await readdir(join(root, relative), { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const key = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (key === STAGING) continue;
    if (entry.isDirectory()) yield* walk(root, key);
    else if (entry.isFile()) yield key;
  }
}

async function statOf(path: string) {
  const found = await stat(path).catch(() => undefined);
  return found?.isFile() ? found : undefined;
}

/** fsync, so that a rename never publishes a file whose bytes a power loss could drop. */
async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
