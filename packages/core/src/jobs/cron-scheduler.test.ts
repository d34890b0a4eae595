import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CronScheduler } from './cron-scheduler.js';
import { LocalJobLease, type JobLease } from './jobs.js';

/** A lease another instance holds: never granted here. */
const takenElsewhere: JobLease = { acquire: async () => false, release: async () => undefined };

describe('CronScheduler', () => {
  it('lists jobs by id, replaces a job added twice, and removes one', () => {
    const crons = new CronScheduler({ lease: new LocalJobLease() });
    try {
      crons.add('b', '@daily', () => undefined);
      crons.add('a', '*/5 * * * *', () => undefined);
      crons.add('b', '0 3 * * 1', () => undefined);
      assert.deepEqual(crons.list(), [
        { id: 'a', expression: '*/5 * * * *' },
        { id: 'b', expression: '0 3 * * 1' },
      ]);
      crons.remove('a');
      assert.deepEqual(
        crons.list().map((job) => job.id),
        ['b'],
      );
    } finally {
      crons.clear();
    }
  });

  it('refuses what is not a five-field expression or a macro', () => {
    const crons = new CronScheduler({ lease: new LocalJobLease() });
    for (const bad of ['', 'bad', '61 * * * *', '0 0 * * * *', 42])
      assert.throws(() => crons.add('x', bad as string, () => undefined), { code: 'CRON_EXPRESSION_INVALID' });
    assert.deepEqual(crons.list(), []);
  });

  it('runs a job now on request, and answers false for an unknown id', async () => {
    const crons = new CronScheduler({ lease: new LocalJobLease() });
    let runs = 0;
    crons.add('count', '@yearly', () => void runs++);
    try {
      assert.equal(await crons.runNow('count'), true);
      assert.equal(await crons.runNow('nope'), false);
      assert.equal(runs, 1);
    } finally {
      crons.clear();
    }
  });

  it('runs a due job only on the instance that takes its lease, and reports a job that throws', async () => {
    let runs = 0;
    const errors: string[] = [];
    const here = new CronScheduler({ lease: new LocalJobLease(), onError: (id) => errors.push(id) });
    const elsewhere = new CronScheduler({ lease: takenElsewhere });
    for (const crons of [here, elsewhere]) {
      crons.add('count', '@yearly', () => void runs++);
      crons.add('fail', '@yearly', () => {
        throw new Error('broken job');
      });
    }
    try {
      for (const crons of [here, elsewhere]) {
        await crons.runDue('count');
        await crons.runDue('fail');
      }
      assert.equal(runs, 1);
      assert.deepEqual(errors, ['fail']);
    } finally {
      here.clear();
      elsewhere.clear();
    }
  });
});
