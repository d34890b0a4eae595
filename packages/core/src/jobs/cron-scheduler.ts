import { Cron } from 'croner';
import { AppError } from '../errors/app-error.js';
import type { CronJobInfo, CronJobs, JobLease } from './jobs.js';

/** What a CronScheduler needs. */
export interface CronSchedulerOptions {
  /** Keeps each run to one instance of a cluster (`LocalJobLease` for a single one). */
  readonly lease: JobLease;
  /** Told about a job that threw (the schedule goes on). */
  readonly onError?: (id: string, error: unknown) => void;
}

/**
 * How long a run's lease is held: under a minute, the finest step of a five-field
 * schedule, so the next minute's run can be taken by any instance, and long enough that
 * an instance whose clock is a few seconds late finds this minute's run taken.
 */
const RUN_LEASE_MS = 50_000;

interface ScheduledJob {
  readonly info: CronJobInfo;
  readonly run: () => Promise<void> | void;
  readonly timer: Cron;
}

/**
 * The cron jobs of one server (PocketBase's `cronAdd`): five-field expressions in UTC
 * (or macros such as `@hourly`), each due run taken by one instance through the
 * JobLease. A run still going when the next is due is skipped, as PocketBase does.
 * @example scheduler.add('cleanup', '0 3 * * *', () => deleteOldDrafts())
 */
export class CronScheduler implements CronJobs {
  readonly #options: CronSchedulerOptions;
  readonly #jobs = new Map<string, ScheduledJob>();
  /** Told about a job that threw (the schedule goes on); the server sets its logger here. */
  onError: (id: string, error: unknown) => void;

  constructor(options: CronSchedulerOptions) {
    this.#options = options;
    this.onError = options.onError ?? (() => undefined);
  }

  add(id: string, expression: string, run: () => Promise<void> | void): void {
    if (typeof id !== 'string' || id === '') throw new AppError('CRON_EXPRESSION_INVALID', 'A cron job needs an id.');
    assertCronExpression(expression);
    this.remove(id);
    const timer = new Cron(expression, { ...CRON_MODE, unref: true, protect: true }, () => this.runDue(id));
    this.#jobs.set(id, { info: { id, expression }, run, timer });
  }

  remove(id: string): void {
    this.#jobs.get(id)?.timer.stop();
    this.#jobs.delete(id);
  }

  list(): CronJobInfo[] {
    return [...this.#jobs.values()].map((job) => job.info).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Runs the job now on this instance (an operator asked: no lease); its error is thrown to the caller. */
  async runNow(id: string): Promise<boolean> {
    const job = this.#jobs.get(id);
    if (!job) return false;
    await job.run();
    return true;
  }

  /** Stops every schedule (on shutdown, or before hooks are loaded again). */
  clear(): void {
    for (const id of [...this.#jobs.keys()]) this.remove(id);
  }

  /** A due run (the schedule calls it): this instance runs the job only when it takes the lease of this run. */
  async runDue(id: string): Promise<void> {
    const job = this.#jobs.get(id);
    if (!job) return;
    try {
      if (!(await this.#options.lease.acquire(`cron:${id}`, RUN_LEASE_MS))) return;
      await job.run();
    } catch (error) {
      this.onError(id, error);
    }
  }
}

// Five fields, minute precision, in UTC; day-of-month and day-of-week combine with OR as in crontab.
const CRON_MODE = { mode: '5-part', timezone: 'UTC', domAndDow: false } as const;

/** Throws CRON_EXPRESSION_INVALID unless `expression` is a five-field cron expression or a macro. */
export function assertCronExpression(expression: unknown): asserts expression is string {
  const invalid = () => new AppError('CRON_EXPRESSION_INVALID', undefined, { expression: String(expression) });
  if (typeof expression !== 'string' || expression.length > 200) throw invalid();
  try {
    new Cron(expression, { ...CRON_MODE, paused: true }).stop();
  } catch {
    throw invalid();
  }
}
