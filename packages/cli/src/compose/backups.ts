import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BackupService,
  defaultBackupLimits,
  LocalFileStorage,
  SelectedFileStorage,
  type DataLayout,
  type FileStorage,
  type S3Settings,
  type SettingsService,
} from '@tandem/core';
import type { TandemConfig } from '../config/config.js';
import { createS3Storage } from './file-storage.js';
import { isPostgresUrl } from './open-store.js';
import { sqliteSnapshot } from './sqlite-snapshot.js';

/** Where a SQLite server's data lives, for backups and restores; undefined on PostgreSQL. */
export function dataLayoutOf(config: Pick<TandemConfig, 'dir' | 'db'>): DataLayout | undefined {
  if (isPostgresUrl(config.db)) return undefined;
  return { dir: config.dir, database: config.db, storage: join(config.dir, 'storage') };
}

/**
 * The backup service of a server: archives under `<dir>/backups` unless `backups.s3`
 * is enabled, the local stored files included while `s3` keeps files local, and
 * `onRestoreStaged` to ask for the restart that swaps a restore in. On PostgreSQL the
 * service refuses every action (see docs/backups.md). Only the server (`owner`) clears
 * what a crash left half written: a CLI command beside a running server must not.
 */
export async function openBackups(
  config: Pick<TandemConfig, 'dir' | 'db'>,
  localFiles: FileStorage,
  settings: SettingsService,
  onRestoreStaged: () => void,
  owner: boolean,
): Promise<BackupService> {
  const layout = dataLayoutOf(config);
  const root = join(config.dir, 'backups');
  const local = owner ? await new LocalFileStorage(root).open() : new LocalFileStorage(root);
  if (!owner) await mkdir(join(root, '.staging'), { recursive: true });
  const archives = new SelectedFileStorage<S3Settings>(() => settings.get().backups.s3, local, createS3Storage);
  const service = new BackupService({
    layout,
    snapshot: layout && sqliteSnapshot(layout.database),
    archives,
    files: () => (settings.get().s3.enabled ? undefined : localFiles),
    settings,
    limits: defaultBackupLimits,
    onRestoreStaged,
  });
  return owner ? service.open() : service;
}
