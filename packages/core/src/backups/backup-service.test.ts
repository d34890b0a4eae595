import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LocalFileStorage } from '../files/local/local-file-storage.js';
import type { CronJobInfo, CronJobs } from '../jobs/jobs.js';
import { SettingsService } from '../settings/settings-service.js';
import { createTempDir } from '../testing/test-databases.fixture.js';
import { openTestStore, type TestStore } from '../testing/test-stores.fixture.js';
import { defaultBackupLimits } from './backup-limits.js';
import { AUTO_BACKUP_PREFIX } from './backup-names.js';
import { BACKUP_JOB_ID, scheduleBackups } from './backup-schedule.js';
import { BackupService } from './backup-service.js';

/**
 * A registry that keeps jobs in a map and runs them only when asked: the scheduler of
 * the server is another component; here the job is what is tested, run directly.
 */
class ListedCronJobs implements CronJobs {
  readonly jobs = new Map<string, { expression: string; run: () => Promise<void> | void }>();
  add(id: string, expression: string, run: () => Promise<void> | void): void {
    this.jobs.set(id, { expression, run });
  }
  remove(id: string): void {
    this.jobs.delete(id);
  }
  list(): CronJobInfo[] {
    return [...this.jobs].map(([id, job]) => ({ id, expression: job.expression }));
  }
  async runNow(id: string): Promise<boolean> {
    const job = this.jobs.get(id);
    if (!job) return false;
    await job.run();
    return true;
  }
}

describe('BackupService and scheduleBackups', () => {
  let dir: { path: string; remove(): Promise<void> };
  let opened: TestStore;
  let settings: SettingsService;
  let backups: BackupService;
  const errors: Error[] = [];
  let seconds = 0;

  before(async () => {
    dir = await createTempDir();
    opened = await openTestStore('sqlite');
    settings = new SettingsService(opened.store);
    await settings.load();
    const database = join(dir.path, 'data.db');
    const db = new Database(database);
    db.exec('CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES (1)');
    db.close();
    backups = new BackupService({
      layout: { dir: dir.path, database, storage: join(dir.path, 'storage') },
      snapshot: {
        async write(target) {
          const source = new Database(database, { readonly: true });
          source.prepare('VACUUM INTO ?').run(target);
          source.close();
        },
        check: async () => true,
      },
      archives: await new LocalFileStorage(join(dir.path, 'backups')).open(),
      files: () => undefined,
      settings,
      limits: defaultBackupLimits,
      onRestoreStaged: () => undefined,
      // One second later at every call, so generated names differ.
      clock: () => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds++)),
    });
    await backups.open();
  });
  after(async () => {
    await opened.cleanup();
    await dir.remove();
  });

  it('registers the job from backups.cron, again when it changes, and removes it when emptied', async () => {
    const cron = new ListedCronJobs();
    const stop = scheduleBackups(cron, settings, backups, (error) => errors.push(error));
    assert.deepEqual(cron.list(), []);
    await settings.update({ backups: { cron: '0 3 * * *' } });
    assert.deepEqual(cron.list(), [{ id: BACKUP_JOB_ID, expression: '0 3 * * *' }]);
    await settings.update({ backups: { cron: '@hourly' } });
    assert.deepEqual(cron.list(), [{ id: BACKUP_JOB_ID, expression: '@hourly' }]);
    await settings.update({ backups: { cron: '' } });
    assert.deepEqual(cron.list(), []);
    await settings.update({ backups: { cron: '@daily' } });
    stop();
    assert.deepEqual(cron.list(), []);
    await settings.update({ backups: { cron: '@weekly' } });
    assert.deepEqual(cron.list(), [], 'stopped: no longer follows the settings');
  });

  it('each run creates an automatic backup and keeps the newest cronMaxKeep of them', async () => {
    const cron = new ListedCronJobs();
    const stop = scheduleBackups(cron, settings, backups, (error) => errors.push(error));
    await settings.update({ backups: { cron: '@daily', cronMaxKeep: 2 } });
    await backups.create('chosen.zip');
    for (let i = 0; i < 4; i++) assert.equal(await cron.runNow(BACKUP_JOB_ID), true);
    stop();
    assert.deepEqual(errors, []);
    const keys = (await backups.list()).map((b) => b.key);
    const auto = keys.filter((key) => key.startsWith(AUTO_BACKUP_PREFIX));
    assert.equal(auto.length, 2, keys.join(', '));
    assert.ok(keys.includes('chosen.zip'), 'a chosen name is never pruned');
    // The clock gave the four runs seconds 0 to 3: the two kept are the last two.
    assert.deepEqual(auto, ['@auto_pb_backup_tandem_20260101000003.zip', '@auto_pb_backup_tandem_20260101000002.zip']);
  });

  it('runs one backup at a time and will not delete the one in use', async () => {
    const first = backups.create('first-of-two.zip');
    await assert.rejects(backups.create('second-of-two.zip'), { code: 'BACKUP_IN_PROGRESS' });
    await assert.rejects(backups.delete('first-of-two.zip'), { code: 'BACKUP_IN_PROGRESS' });
    await first;
    await backups.delete('first-of-two.zip');
    await assert.rejects(backups.delete('first-of-two.zip'), { code: 'BACKUP_MISSING' });
    const keys = (await backups.list()).map((b) => b.key);
    assert.ok(!keys.includes('second-of-two.zip') && !keys.includes('first-of-two.zip'));
  });

  it('hands a failed run to onError', async () => {
    const cron = new ListedCronJobs();
    const failures: Error[] = [];
    const broken = new BackupService({
      layout: undefined,
      snapshot: undefined,
      archives: await new LocalFileStorage(join(dir.path, 'other')).open(),
      files: () => undefined,
      settings,
      limits: defaultBackupLimits,
      onRestoreStaged: () => undefined,
    });
    assert.deepEqual([backups.available, broken.available], [true, false]);
    const stop = scheduleBackups(cron, settings, broken, (error) => failures.push(error));
    await cron.runNow(BACKUP_JOB_ID);
    stop();
    assert.deepEqual(
      failures.map((e) => (e as { code?: string }).code),
      ['BACKUP_DATABASE_UNSUPPORTED'],
    );
  });
});
