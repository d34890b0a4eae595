import { AppError } from '../errors/app-error.js';
import type { JobLease } from './jobs.js';

/** How `runExclusively` waits for a lease and how long it holds it. */
export interface ExclusiveRunOptions {
  /** The lease's lifetime: longer than the work can take (default 10 minutes). */
  readonly ttlMs?: number;
  /** How long to wait for another holder to finish (default 2 minutes). */
  readonly waitMs?: number;
  /** How often to ask again while another instance holds it (default 200 ms). */
  readonly pollMs?: number;
}

/**
 * Runs `work` while holding the lease `name`, waiting while another instance holds it,
 * and gives the lease up afterwards: work that several starting instances would
 * otherwise do at once (applying migrations) is done by one, and the others find it
 * done. UNAVAILABLE when the lease stays taken for `waitMs`.
 * @example const applied = await runExclusively(lease, 'migrations', () => migrator.up())
 */
export async function runExclusively<T>(
  lease: JobLease,
  name: string,
  work: () => Promise<T>,
  options: ExclusiveRunOptions = {},
): Promise<T> {
  const { ttlMs = 10 * 60_000, waitMs = 120_000, pollMs = 200 } = options;
  const deadline = Date.now() + waitMs;
  while (!(await lease.acquire(name, ttlMs))) {
    if (Date.now() > deadline) throw new AppError('UNAVAILABLE', `Another instance holds the "${name}" lease.`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  try {
    return await work();
  } finally {
    await lease.release(name);
  }
}
