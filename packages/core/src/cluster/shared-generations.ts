import { randomBytes } from 'node:crypto';
import type { CollectionGenerations } from '../cache/collection-generations.js';
import type { RedisConnections } from './redis-connection.js';

const SCHEMA_FIELD = '@schema';
const EPOCH_FIELD = '@epoch';

/**
 * After a failed command, how long Redis is not asked again. A Redis that stopped
 * answering (rather than closing the connection) costs each command its timeout; this
 * keeps that cost to one request now and then instead of every request.
 */
export const RETRY_AFTER_FAILURE_MS = 250;

/**
 * How long a write waits for its increment to land while Redis cannot be reached: longer
 * than the reconnection's longest back-off (1 s, cli/compose/open-redis.ts) plus a
 * command's timeout, so that a Redis that restarts costs writes a wait, not a stale read.
 */
export const BUMP_RETRY_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// One round trip for a commit that changed several collections.
const BUMP_SCRIPT = "for _, field in ipairs(ARGV) do redis.call('HINCRBY', KEYS[1], field, 1) end return 1";

/**
 * The cache generations of a cluster, kept in one Redis hash so that every instance
 * keys its cached answers by the same counters. A commit on any instance increments
 * the counters of what it changed before the write is acknowledged (`bump`); a cached
 * read on any instance first loads the counters (`sync`, one HGETALL), so no instance
 * can ask for an entry that a write acknowledged before the read began has left behind.
 *
 * The hash also holds an epoch, part of every key. After anything that may have lost
 * an increment (a failed `bump`, a dropped connection, a Redis that restarted empty)
 * this instance draws a new epoch before it serves from the cache again: every entry
 * made before is then out of reach, on every instance. Until then `sync` answers false
 * and the caller bypasses the cache: slower, never stale.
 */
export class SharedGenerations {
  readonly #redis: RedisConnections;
  readonly #local: CollectionGenerations;
  readonly #key: string;
  readonly #bumpRetryMs: number;
  // NB: a starting instance has lost nothing: it joins the current epoch (drawing one
  // only when there is none), so scaling out does not empty the cluster's cache.
  #needsNewEpoch = false;
  /** Counts distrust, so that a drop during a rotation is not forgotten when it ends. */
  #distrusted = 0;
  #rotating: Promise<boolean> | undefined;
  #failedAt = Number.NEGATIVE_INFINITY;

  constructor(redis: RedisConnections, local: CollectionGenerations, options: { bumpRetryMs?: number } = {}) {
    this.#redis = redis;
    this.#bumpRetryMs = options.bumpRetryMs ?? BUMP_RETRY_MS;
    this.#local = local;
    this.#key = `${redis.prefix}generations`;
    redis.commands.on('close', (() => this.#distrust()) as never);
    redis.commands.on('error', (() => undefined) as never);
  }

  /** Forget the epoch: the next `sync` draws a new one first. */
  #distrust(): void {
    this.#needsNewEpoch = true;
    this.#distrusted++;
  }

  /** A command failed: distrust, and leave Redis alone for a moment. */
  #failed(): void {
    this.#distrust();
    this.#failedAt = Date.now();
  }

  #failedRecently(): boolean {
    return Date.now() - this.#failedAt < RETRY_AFTER_FAILURE_MS;
  }

  /**
   * Increments the shared counters of `collectionIds` (and of the schema with `schema`).
   * Never throws. A failed increment is tried again, every RETRY_AFTER_FAILURE_MS, for up
   * to `bumpRetryMs`, and only then given up: the write it stands for is acknowledged
   * after this resolves, and until the increment lands another instance may serve an
   * entry older than the write. NB: after Redis restarts, each instance reconnects on its
   * own schedule (up to a second apart), so for a moment some reach it and some do not;
   * an instance that has reconnected draws a new epoch and fills entries under it, and a
   * write acknowledged by one that has not yet, without its increment, would leave those
   * entries current.
   */
  async bump(collectionIds: Iterable<string>, schema = false): Promise<void> {
    const fields = [...collectionIds];
    if (schema) fields.push(SCHEMA_FIELD);
    if (fields.length === 0) return;
    const giveUpAt = Date.now() + this.#bumpRetryMs;
    for (;;) {
      if (!this.#failedRecently() && (await this.#tryBump(fields))) return;
      // Whatever happens next, entries keyed before this increment must never be served again here.
      this.#distrust();
      const wait = Math.min(RETRY_AFTER_FAILURE_MS, giveUpAt - Date.now());
      if (wait <= 0) return;
      await sleep(wait);
    }
  }

  async #tryBump(fields: string[]): Promise<boolean> {
    try {
      await this.#redis.commands.call('EVAL', BUMP_SCRIPT, 1, this.#key, ...fields);
      return true;
    } catch {
      // The increment may be lost (or may have landed: a second one only costs a miss).
      this.#failed();
      return false;
    }
  }

  /**
   * Loads the shared counters into the local generations. False when Redis cannot be
   * trusted right now: the caller must not use the cache for this request.
   */
  async sync(): Promise<boolean> {
    // Twice at most: a first look may find no epoch (a new or emptied Redis) and draw one.
    for (let attempt = 0; attempt < 2; attempt++) {
      if (this.#failedRecently()) return false;
      if (this.#needsNewEpoch && !(await this.#newEpoch())) return false;
      const counters = await this.#load();
      if (!counters) return false;
      // A Redis that restarted empty lost the counters: start a new epoch.
      if (counters.epoch === undefined) {
        this.#distrust();
        continue;
      }
      this.#local.replace(counters.byId, counters.schema, counters.epoch);
      return true;
    }
    return false;
  }

  async #load(): Promise<ReturnType<typeof toCounters> | undefined> {
    try {
      return toCounters(await this.#redis.commands.call('HGETALL', this.#key));
    } catch {
      this.#failed();
      return undefined;
    }
  }

  #newEpoch(): Promise<boolean> {
    const seen = this.#distrusted;
    this.#rotating ??= this.#redis.commands
      .call('HSET', this.#key, EPOCH_FIELD, randomBytes(9).toString('base64url'))
      .then(
        () => ((this.#needsNewEpoch = this.#distrusted !== seen), !this.#needsNewEpoch),
        () => (this.#failed(), false),
      )
      .finally(() => (this.#rotating = undefined));
    return this.#rotating;
  }
}

function toCounters(flat: unknown): { byId: Map<string, number>; schema: number; epoch: string | undefined } {
  const byId = new Map<string, number>();
  let schema = 0;
  let epoch: string | undefined;
  const list = Array.isArray(flat) ? (flat as string[]) : [];
  for (let i = 0; i + 1 < list.length; i += 2) {
    const field = String(list[i]);
    const value = String(list[i + 1]);
    if (field === EPOCH_FIELD) epoch = value;
    else if (field === SCHEMA_FIELD) schema = Number(value);
    else byId.set(field, Number(value));
  }
  return { byId, schema, epoch };
}
