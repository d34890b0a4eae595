import type { CronJobs } from '../jobs/jobs.js';
import type { Settings } from '../settings/settings-schema.js';
import type { SettingsService } from '../settings/settings-service.js';
import type { BackupService } from './backup-service.js';

/** The id of the scheduled backup in `/api/crons` (PocketBase's). */
export const BACKUP_JOB_ID = '__auto_pb_backup__';

/**
 * Registers the scheduled backup on `cron` from `backups.cron` (none when empty) and
 * registers it again whenever that setting changes; each run creates an
 * `@auto_pb_backup_…` archive and prunes the automatic ones past `backups.cronMaxKeep`.
 * A run that fails, or a schedule the registry refuses, goes to `onError`. Returns the
 * function that stops following the settings and removes the job.
 * @example const stop = scheduleBackups(cronJobs, settings, backups, (e) => logger.warn('backup', { error: e.message }))
 */
export function scheduleBackups(
  cron: CronJobs,
  settings: SettingsService,
  backups: BackupService,
  onError: (error: Error) => void,
): () => void {
  let current: string | undefined;
  const follow = (next: Settings) => {
    if (next.backups.cron === current) return;
    current = next.backups.cron;
    try {
      if (current === '') cron.remove(BACKUP_JOB_ID);
      else cron.add(BACKUP_JOB_ID, current, () => backups.createScheduled().then(() => undefined, onError));
    } catch (error) {
      onError(error as Error);
    }
  };
  follow(settings.get());
  const stopFollowing = settings.onChange(follow);
  return () => {
    stopFollowing();
    cron.remove(BACKUP_JOB_ID);
  };
}
