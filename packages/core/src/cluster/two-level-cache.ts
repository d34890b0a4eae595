import { createHash } from 'node:crypto';
import type { Cache } from '../cache/cache.js';
import type { RedisConnections } from './redis-connection.js';

/** How long an entry stays in Redis (keys age out of reach anyway; this bounds memory). */
export const L2_TTL_MS = 10 * 60 * 1000;

/**
 * The response cache of a cluster: the in-process cache (L1) in front of Redis (L2),
 * shared by every instance. Keys carry the shared generations (see
 * shared-generations.ts), so an entry any instance stored is valid for all of them
 * until a write moves the counters. Redis keys are digests: cache keys are long and
 * hold NUL separators. A Redis failure is a miss, never an error.
 */
export class TwoLevelCache implements Cache {
  readonly #l1: Cache;
  readonly #redis: RedisConnections;

  constructor(l1: Cache, redis: RedisConnections) {
    this.#l1 = l1;
    this.#redis = redis;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const near = this.#l1.getNow ? this.#l1.getNow(key) : await this.#l1.get(key);
    if (near) return near;
    let far: unknown;
    try {
      far = await this.#redis.commands.callBuffer('GET', this.#redisKey(key));
    } catch {
      return undefined;
    }
    if (!(far instanceof Uint8Array)) return undefined;
    await this.#l1.set(key, far);
    return far;
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    await this.#l1.set(key, value);
    await this.#redis.commands
      .call('SET', this.#redisKey(key), Buffer.from(value.buffer, value.byteOffset, value.byteLength), 'PX', L2_TTL_MS)
      .catch(() => undefined);
  }

  async delete(key: string): Promise<void> {
    await this.#l1.delete(key);
    await this.#redis.commands.call('DEL', this.#redisKey(key)).catch(() => undefined);
  }

  #redisKey(key: string): string {
    return `${this.#redis.prefix}cache:${createHash('sha256').update(key).digest('base64url')}`;
  }
}
