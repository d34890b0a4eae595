import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../errors/app-error.js';
import type { FileStorage } from '../files/file-storage.js';
import type { FileUpload } from '../files/file-upload.js';
import { writeNewFile } from '../files/write-new-file.js';
import type { SettingsService } from '../settings/settings-service.js';
import { writeBackupArchive } from './backup-archive-write.js';
import { checkBackupArchive } from './backup-archive-read.js';
import type { BackupLimits } from './backup-limits.js';
import { assertBackupName, AUTO_BACKUP_PREFIX, generateBackupName, isBackupKey } from './backup-names.js';
import { stageRestore, type DataLayout } from './backup-restore.js';

/** One stored backup as `GET /api/backups` lists it. */
export interface BackupFileInfo {
  readonly key: string;
  readonly size: number;
  /** PocketBase's date format: `2006-01-02 15:04:05.000Z`. */
  readonly modified: string;
}

/** A backup ready to send. */
export interface BackupDownload {
  readonly name: string;
  readonly size: number;
  readonly modified: Date;
  open(): Promise<Readable>;
}

/** A consistent copy of the live database, taken while writes go on (SQLite: `VACUUM INTO` on a connection of its own). */
export interface DatabaseSnapshot {
  /** Writes the snapshot to `target`, a path that does not exist yet. */
  write(target: string): Promise<void>;
  /** True when `file` is a sound database of Tandem's (a restore checks what it unpacked before staging it). */
  check(file: string): Promise<boolean>;
}

/** What the backup service works on. */
export interface BackupServiceOptions {
  /** The SQLite data; undefined on PostgreSQL, where every backup action is refused. */
  readonly layout: DataLayout | undefined;
  readonly snapshot: DatabaseSnapshot | undefined;
  /** Where archives live: `<dir>/backups`, or S3 when `backups.s3.enabled`. */
  readonly archives: FileStorage;
  /** The stored files to include: the local storage while the settings keep files local, else undefined. */
  readonly files: () => FileStorage | undefined;
  readonly settings: SettingsService;
  readonly limits: BackupLimits;
  /** Called once a restore is staged: the process restarts to swap it in. */
  readonly onRestoreStaged: () => void;
  readonly clock?: () => Date;
}

/** Where archives are built and downloaded archives wait, inside the data directory; emptied at start. */
const WORK_DIR = '.backups-work';

/**
 * PocketBase's backups over Tandem's data: create (a consistent snapshot of the
 * database plus the local stored files, zipped), list, upload, download, delete and
 * restore (checked, staged, swapped in at restart). One backup or restore runs at a
 * time. An archive becomes visible only whole: it is built in a work folder and then
 * stored, and the storage publishes it with a rename (local) or one upload (S3).
 */
export class BackupService {
  readonly #options: BackupServiceOptions;
  readonly #clock: () => Date;
  #active: string | undefined;

  constructor(options: BackupServiceOptions) {
    this.#options = options;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** False on PostgreSQL, where every action is refused: nothing to schedule, nothing to offer. */
  get available(): boolean {
    return this.#options.layout !== undefined && this.#options.snapshot !== undefined;
  }

  /** Empties the work folder a crash may have left half full. */
  async open(): Promise<this> {
    const layout = this.#options.layout;
    if (layout) await rm(join(layout.dir, WORK_DIR), { recursive: true, force: true });
    return this;
  }

  /** Every stored backup, newest first. */
  async list(): Promise<BackupFileInfo[]> {
    this.#layout();
    const found: BackupFileInfo[] = [];
    for await (const file of this.#options.archives.list())
      if (isBackupKey(file.key)) found.push({ key: file.key, size: file.size, modified: formatDate(file.modified) });
    // Within one millisecond, the later generated name (it ends in the time) is the newer.
    return found.sort((a, b) => b.modified.localeCompare(a.modified) || b.key.localeCompare(a.key));
  }

  /** Creates a backup named `name` (generated when empty); refuses a name in use (400 BACKUP_INVALID). */
  async create(name = ''): Promise<string> {
    this.#layout();
    const chosen = name === '' ? this.#generatedName('pb_backup_') : assertBackupName(name);
    if (await this.#options.archives.stat(chosen)) throw nameTaken('name');
    await this.#exclusive(chosen, () => this.#build(chosen));
    return chosen;
  }

  /** The scheduled backup: a generated `@auto_pb_backup_…` name, then the oldest automatic ones past `cronMaxKeep` go. */
  async createScheduled(): Promise<string> {
    this.#layout();
    const name = this.#generatedName(AUTO_BACKUP_PREFIX);
    await this.#exclusive(name, () => this.#build(name));
    await this.prune(this.#options.settings.get().backups.cronMaxKeep);
    return name;
  }

  /** Keeps the newest `maxKeep` automatic backups and deletes the rest (0 keeps all); chosen names are never pruned. */
  async prune(maxKeep: number): Promise<string[]> {
    if (maxKeep <= 0) return [];
    const auto = (await this.list()).filter((file) => file.key.startsWith(AUTO_BACKUP_PREFIX));
    const old = auto.slice(maxKeep).map((file) => file.key);
    for (const key of old) await this.#options.archives.delete(key);
    return old;
  }

  /** Stores an uploaded archive under its own name, once checked as restore would check it. */
  async upload(file: FileUpload | undefined): Promise<void> {
    const layout = this.#layout();
    if (!file) throw fileError('validation_required', 'Missing required file.');
    if (!isBackupKey(file.originalName) || file.originalName.startsWith(AUTO_BACKUP_PREFIX))
      throw fileError('validation_match_invalid', 'The file name must be of a-z, 0-9, _ and -, ending in .zip.');
    if (file.mimeType !== 'application/zip') throw fileError('validation_invalid_mime_type', 'The file must be a zip.');
    if (await this.#options.archives.stat(file.originalName)) throw nameTaken('file');
    await this.#withWorkFile(layout, async (path) => {
      await writeNewFile(path, file.open());
      (await checkBackupArchive(path, this.#options.limits)).zip.close();
    });
    await this.#options.archives.put(file.originalName, file.open(), file.size, 'application/zip');
  }

  /** The archive `key`, to send (404 NOT_FOUND when absent). */
  async download(key: string): Promise<BackupDownload> {
    this.#layout();
    const found = isBackupKey(key) ? await this.#options.archives.stat(key) : undefined;
    if (!found) throw new AppError('NOT_FOUND');
    const archives = this.#options.archives;
    return {
      name: key,
      size: found.size,
      modified: found.modified,
      open: async () => (await archives.read(key)) ?? Promise.reject(new AppError('NOT_FOUND')),
    };
  }

  /** Deletes the archive `key`; the one a backup or restore is using now is refused. */
  async delete(key: string): Promise<void> {
    this.#layout();
    if (key === this.#active)
      throw new AppError('BACKUP_IN_PROGRESS', 'The backup is currently being used and cannot be deleted.');
    if (!isBackupKey(key) || !(await this.#options.archives.stat(key))) throw new AppError('BACKUP_MISSING');
    await this.#options.archives.delete(key);
  }

  /**
   * Checks the archive `key` and stages it for the next start (see stageRestore), then
   * asks for the restart. A refused archive changes nothing (400 BACKUP_ARCHIVE_INVALID).
   */
  async restore(key: string): Promise<void> {
    const layout = this.#layout();
    if (!isBackupKey(key) || !(await this.#options.archives.stat(key))) throw new AppError('BACKUP_MISSING');
    await this.#exclusive(key, () =>
      this.#withWorkFile(layout, async (path) => {
        const source = await this.#options.archives.read(key);
        if (!source) throw new AppError('BACKUP_MISSING');
        await writeNewFile(path, source);
        await stageRestore(layout, path, this.#options.limits, this.#options.snapshot!.check);
      }),
    );
    this.#options.onRestoreStaged();
  }

  /** The SQLite layout, or 400 BACKUP_DATABASE_UNSUPPORTED on PostgreSQL. */
  #layout(): DataLayout {
    if (!this.available || !this.#options.layout) throw new AppError('BACKUP_DATABASE_UNSUPPORTED');
    return this.#options.layout;
  }

  #generatedName(prefix: string): string {
    return generateBackupName(prefix, this.#options.settings.get().meta.appName, this.#clock());
  }

  async #exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
    if (this.#active !== undefined) throw new AppError('BACKUP_IN_PROGRESS');
    this.#active = name;
    try {
      return await work();
    } finally {
      this.#active = undefined;
    }
  }

  /** Snapshot, zip, store: the archive is complete on disk before the storage sees it. */
  async #build(name: string): Promise<void> {
    const layout = this.#layout();
    const work = join(layout.dir, WORK_DIR, randomBytes(8).toString('hex'));
    await mkdir(work, { recursive: true });
    try {
      const database = join(work, 'data.db');
      await this.#options.snapshot!.write(database);
      const zip = join(work, 'archive.zip');
      await writeBackupArchive(zip, database, this.#options.files());
      const { size } = await stat(zip);
      await this.#options.archives.put(name, createReadStream(zip), size, 'application/zip');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async #withWorkFile<T>(layout: DataLayout, work: (path: string) => Promise<T>): Promise<T> {
    const dir = join(layout.dir, WORK_DIR);
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${randomBytes(8).toString('hex')}.zip`);
    try {
      return await work(path);
    } finally {
      await rm(path, { force: true });
    }
  }
}

function nameTaken(field: 'name' | 'file'): AppError {
  return new AppError('BACKUP_INVALID', undefined, {
    [field]: { code: 'validation_backup_name_exists', message: 'Backup file with the specified name already exists.' },
  });
}

function fileError(code: string, message: string): AppError {
  return new AppError('BACKUP_INVALID', undefined, { file: { code, message } });
}

/** PocketBase's date text: `2006-01-02 15:04:05.000Z`. */
function formatDate(date: Date): string {
  return date.toISOString().replace('T', ' ');
}
