/**
 * Jobs that run on a schedule (crons added by hooks, scheduled backups, sweeps) and the
 * lease that keeps a job to one instance at a time when several instances share a store.
 *
 * A single instance uses `LocalJobLease`, which always grants. A cluster plugs in a lease
 * held in PostgreSQL or Redis, so that a job due at 03:00 runs once, not once per instance.
 */

/** Grants the right to run the job `name` for the next `ttlMs` to one instance at a time. */
export interface JobLease {
  /** True when this instance now holds `name` (newly or still) until `ttlMs` from now. */
  acquire(name: string, ttlMs: number): Promise<boolean>;
  /** Gives `name` up early, when this instance holds it; a no-op otherwise. */
  release(name: string): Promise<void>;
}

/** One scheduled job as `/api/crons` lists it. */
export interface CronJobInfo {
  readonly id: string;
  /** A five-field cron expression (minute hour day-of-month month day-of-week) or a macro such as `@daily`. */
  readonly expression: string;
}

/** The registry of scheduled jobs of one server. */
export interface CronJobs {
  /** Adds or replaces the job `id`; throws a validation error when `expression` is not a valid schedule. */
  add(id: string, expression: string, run: () => Promise<void> | void): void;
  /** Removes the job `id`; a no-op when there is none. */
  remove(id: string): void;
  /** The jobs, sorted by id. */
  list(): CronJobInfo[];
  /** Runs the job `id` now (outside its schedule); false when there is no such job. */
  runNow(id: string): Promise<boolean>;
}

/** The lease of a single instance: every job is always its own. */
export class LocalJobLease implements JobLease {
  async acquire(): Promise<boolean> {
    return true;
  }

  async release(): Promise<void> {}
}
