import { AppError } from '../errors/app-error.js';

/** PocketBase's rule for a backup name: lower-case letters, digits, `_` and `-`, ending in `.zip`. */
const BACKUP_NAME = /^[a-z0-9_-]+\.zip$/;
const MAX_NAME_LENGTH = 150;

/** The prefix of scheduled backups: `@` keeps them apart from names a client may choose. */
export const AUTO_BACKUP_PREFIX = '@auto_pb_backup_';

/** Checks a name a client chose for a new backup (400 BACKUP_INVALID with `data.name`). */
export function assertBackupName(name: string): string {
  if (name.length >= 1 && name.length <= MAX_NAME_LENGTH && BACKUP_NAME.test(name)) return name;
  throw new AppError('BACKUP_INVALID', undefined, {
    name: { code: 'validation_match_invalid', message: 'Must be 1 to 150 of a-z, 0-9, _ and -, ending in .zip.' },
  });
}

/** True for a key that may name a stored backup: a chosen name or a scheduled one; never a path. */
export function isBackupKey(key: string): boolean {
  const name = key.startsWith(AUTO_BACKUP_PREFIX) ? key.slice(1) : key;
  return name.length <= MAX_NAME_LENGTH && BACKUP_NAME.test(name);
}

/**
 * PocketBase's generated name: `<prefix><app name in snake case, at most 50>_<UTC
 * yyyymmddhhmmss>.zip`, e.g. `pb_backup_tandem_20260101120000.zip`.
 */
export function generateBackupName(prefix: string, appName: string, now: Date): string {
  const app = snakeCase(appName).slice(0, 50);
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${prefix}${app}_${stamp}.zip`;
}

function snakeCase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}
