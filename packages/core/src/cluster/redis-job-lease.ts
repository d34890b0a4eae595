import { randomBytes } from 'node:crypto';
import type { JobLease } from '../jobs/jobs.js';
import type { RedisConnections } from './redis-connection.js';

// Extends the lease when this instance holds it, takes it when nobody does.
const ACQUIRE_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

// Deletes the lease only when this instance holds it.
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * A JobLease held in Redis: one key per job whose value names the holding instance and
 * which expires after `ttlMs`, so a job whose instance died is free again after the
 * lease runs out. When Redis cannot be reached nobody gets the lease: a job that must
 * run once waits rather than running twice.
 */
export class RedisJobLease implements JobLease {
  readonly #redis: RedisConnections;
  readonly #holder = randomBytes(12).toString('base64url');

  constructor(redis: RedisConnections) {
    this.#redis = redis;
  }

  async acquire(name: string, ttlMs: number): Promise<boolean> {
    try {
      const reply = await this.#redis.commands.call('EVAL', ACQUIRE_SCRIPT, 1, this.#key(name), this.#holder, ttlMs);
      return Number(reply) === 1;
    } catch {
      return false;
    }
  }

  async release(name: string): Promise<void> {
    await this.#redis.commands.call('EVAL', RELEASE_SCRIPT, 1, this.#key(name), this.#holder).catch(() => undefined);
  }

  #key(name: string): string {
    return `${this.#redis.prefix}lease:${name}`;
  }
}
