import type { RateLimiter, RateLimitResult } from './rate-limiter.js';

/** Options of the in-memory rate limiter. */
export interface MemoryRateLimiterOptions {
  /** The most keys kept; beyond it the least recently used key is forgotten. 100,000 by default. */
  readonly maxKeys?: number;
}

/** One key's two windows: counts of the current fixed window and of the one before. */
interface Counter {
  windowMs: number;
  start: number;
  current: number;
  previous: number;
}

/** The in-process limiter: it answers at once, and counts its keys. */
export interface MemoryRateLimiter extends RateLimiter {
  readonly size: number;
  hit(key: string, limit: number, windowMs: number, now?: number): RateLimitResult;
}

/**
 * A RateLimiter for one process, with the sliding-window counter of Cloudflare and
 * nginx: the previous window's count weighs in proportion to how much of it still
 * overlaps the sliding window, so bursts at a window boundary get no double allowance,
 * in O(1) memory per key. Memory is bounded: idle keys are dropped as they expire and
 * at most `maxKeys` are kept, least recently used dropped first.
 * @example const limiter = createMemoryRateLimiter({ maxKeys: 50_000 })
 */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): MemoryRateLimiter {
  const maxKeys = options.maxKeys ?? 100_000;
  const counters = new Map<string, Counter>();
  return {
    get size() {
      return counters.size;
    },
    hit(key, limit, windowMs, now = Date.now()) {
      const counter = touch(counters, key, windowMs, now);
      evict(counters, maxKeys, now);
      return decide(counter, limit, now);
    },
  };
}

/** The key's counter advanced to `now`, moved to the most-recently-used end. */
function touch(counters: Map<string, Counter>, key: string, windowMs: number, now: number): Counter {
  const found = counters.get(key);
  counters.delete(key);
  const counter =
    found && found.windowMs === windowMs
      ? found
      : { windowMs, start: alignedStart(now, windowMs), current: 0, previous: 0 };
  const start = alignedStart(now, windowMs);
  if (start !== counter.start) {
    counter.previous = start - counter.start === windowMs ? counter.current : 0;
    counter.current = 0;
    counter.start = start;
  }
  counters.set(key, counter);
  return counter;
}

function decide(counter: Counter, limit: number, now: number): RateLimitResult {
  const used = estimate(counter, now);
  if (used + 1 > limit) return { allowed: false, remaining: 0, retryAfterMs: retryAfter(counter, limit, now) };
  counter.current++;
  return { allowed: true, remaining: Math.max(0, Math.floor(limit - used - 1)), retryAfterMs: 0 };
}

/** Attempts in the sliding window ending now: all of this window, the overlapping share of the last. */
function estimate(counter: Counter, now: number): number {
  const overlap = (counter.windowMs - (now - counter.start)) / counter.windowMs;
  return counter.previous * overlap + counter.current;
}

/** How long until one more attempt fits, as the previous window's weight keeps shrinking. */
function retryAfter(counter: Counter, limit: number, now: number): number {
  if (limit < 1) return counter.windowMs;
  const { windowMs, start, current, previous } = counter;
  // Later in this window, if this window's own count leaves room.
  if (current + 1 <= limit && previous > 0) {
    const elapsed = windowMs * (1 - (limit - 1 - current) / previous);
    return Math.max(1, Math.ceil(start + elapsed - now));
  }
  // Otherwise in the next window, where this window's count becomes the previous one.
  const elapsed = current > 0 ? windowMs * Math.max(0, 1 - (limit - 1) / current) : 0;
  return Math.max(1, Math.ceil(start + windowMs + elapsed - now));
}

/** Drops expired keys from the least-recently-used end, then any beyond the cap. */
function evict(counters: Map<string, Counter>, maxKeys: number, now: number): void {
  for (const [key, counter] of counters) {
    if (now < counter.start + 2 * counter.windowMs && counters.size <= maxKeys) break;
    counters.delete(key);
  }
}

function alignedStart(now: number, windowMs: number): number {
  return now - (now % windowMs);
}
