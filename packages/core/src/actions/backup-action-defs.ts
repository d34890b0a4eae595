import { AppError } from '../errors/app-error.js';
import { isFileUpload, type FileUpload } from '../files/file-upload.js';
import { isSuperuser } from '../schema/principal.js';
import type { ActionDefinition } from './action.js';
import { bodyObject, paramOf, queryOf } from './action-input.js';

const NO_CONTENT = { status: 204, body: null } as const;

/** PocketBase's `/api/backups`: superusers only, except the download, which takes a superuser's file token. */
export const backupActions: readonly ActionDefinition[] = [
  {
    name: 'backups.list',
    summary: 'Every stored backup: key, size and time, newest first.',
    access: 'superuser',
    shape: 'none',
    needs: 'backups',
    errors: ['BACKUP_DATABASE_UNSUPPORTED'],
    run: async (services) => ({ status: 200, body: await services.backups!.list() }),
  },
  {
    name: 'backups.create',
    summary: 'Creates a backup of the database and the local stored files (`name` optional).',
    access: 'superuser',
    shape: 'none',
    needs: 'backups',
    errors: ['BACKUP_INVALID', 'BACKUP_IN_PROGRESS', 'BACKUP_DATABASE_UNSUPPORTED', 'BODY_INVALID'],
    async run(services, input) {
      const name = bodyObject(input).name ?? '';
      if (typeof name !== 'string') throw new AppError('BACKUP_INVALID', undefined, { name: mustBeText });
      await services.backups!.create(name);
      return NO_CONTENT;
    },
  },
  {
    name: 'backups.upload',
    summary: 'Stores an uploaded backup zip (multipart field `file`) under its own name, once checked.',
    access: 'superuser',
    shape: 'none',
    needs: 'backups',
    errors: ['BACKUP_INVALID', 'BACKUP_ARCHIVE_INVALID', 'BACKUP_DATABASE_UNSUPPORTED', 'UPLOAD_FILE_TOO_LARGE'],
    async run(services, input) {
      await services.backups!.upload(firstUpload(bodyObject(input).file));
      return NO_CONTENT;
    },
  },
  {
    name: 'backups.download',
    summary: 'A backup zip, for a superuser file token in `?token=`.',
    access: 'anyone',
    shape: 'none',
    needs: 'backups',
    errors: ['FORBIDDEN', 'NOT_FOUND', 'BACKUP_DATABASE_UNSUPPORTED'],
    async run(services, input) {
      const principal = services.auth ? await services.auth.principalOfFileToken(queryOf(input, 'token')) : undefined;
      if (!principal || !isSuperuser(principal))
        throw new AppError('FORBIDDEN', 'Insufficient permissions to access the resource.');
      return { status: 200, body: await services.backups!.download(paramOf(input, 'key')) };
    },
  },
  {
    name: 'backups.delete',
    summary: 'Deletes a stored backup.',
    access: 'superuser',
    shape: 'none',
    needs: 'backups',
    errors: ['BACKUP_MISSING', 'BACKUP_IN_PROGRESS', 'BACKUP_DATABASE_UNSUPPORTED'],
    async run(services, input) {
      await services.backups!.delete(paramOf(input, 'key'));
      return NO_CONTENT;
    },
  },
  {
    name: 'backups.restore',
    summary: 'Checks a backup and restores it: the server restarts on the restored data.',
    access: 'superuser',
    shape: 'none',
    needs: 'backups',
    errors: ['BACKUP_MISSING', 'BACKUP_IN_PROGRESS', 'BACKUP_ARCHIVE_INVALID', 'BACKUP_DATABASE_UNSUPPORTED'],
    async run(services, input) {
      await services.backups!.restore(paramOf(input, 'key'));
      return NO_CONTENT;
    },
  },
];

const mustBeText = { code: 'validation_invalid_type', message: 'Must be a string.' };

/** The one file of the `file` field (PocketBase takes the first when several are sent). */
function firstUpload(value: unknown): FileUpload | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return isFileUpload(first) ? first : undefined;
}
