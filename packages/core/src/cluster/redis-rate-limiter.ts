import { createMemoryRateLimiter } from '../credentials/memory-rate-limiter.js';
import type { RateLimiter, RateLimitResult } from '../credentials/rate-limiter.js';
import type { RedisConnections } from './redis-connection.js';

/**
 * The sliding-window counter of memory-rate-limiter.ts, in one atomic script, on Redis's
 * clock (instances' clocks may differ): it counts the attempt when it fits and returns
 * [allowed, current, previous, now, windowStart] for the caller to compute Retry-After.
 */
const HIT_SCRIPT = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local start = now - (now % window)
local current_key = KEYS[1] .. ':' .. start
local current = tonumber(redis.call('GET', current_key) or '0')
local previous = tonumber(redis.call('GET', KEYS[1] .. ':' .. (start - window)) or '0')
local used = previous * (window - (now - start)) / window + current
if used + 1 > limit then return {0, current, previous, now, start} end
redis.call('INCR', current_key)
redis.call('PEXPIRE', current_key, window * 2)
return {1, current + 1, previous, now, start}
`;

/**
 * A RateLimiter whose counters live in Redis, so that N instances together allow the
 * configured limit, not N times it. When Redis cannot be reached the attempt is counted
 * by this instance alone (a local limiter): the limit then holds per instance, and
 * signing in keeps working.
 */
export function createRedisRateLimiter(redis: RedisConnections): RateLimiter {
  const fallback = createMemoryRateLimiter();
  const prefix = `${redis.prefix}rate:`;
  return {
    async hit(key, limit, windowMs) {
      try {
        const reply = await redis.commands.call('EVAL', HIT_SCRIPT, 1, prefix + key, limit, windowMs);
        return toResult(reply as number[], limit, windowMs);
      } catch {
        return fallback.hit(key, limit, windowMs);
      }
    },
  };
}

function toResult(reply: number[], limit: number, windowMs: number): RateLimitResult {
  const [allowed, current, previous, now, start] = reply.map(Number) as [number, number, number, number, number];
  const used = (previous * (windowMs - (now - start))) / windowMs + current;
  if (allowed === 1) return { allowed: true, remaining: Math.max(0, Math.floor(limit - used)), retryAfterMs: 0 };
  return { allowed: false, remaining: 0, retryAfterMs: retryAfter(limit, windowMs, current, previous, now - start) };
}

/** How long until one more attempt fits (the formula of memory-rate-limiter.ts). */
function retryAfter(limit: number, windowMs: number, current: number, previous: number, elapsed: number): number {
  if (limit < 1) return windowMs;
  if (current + 1 <= limit && previous > 0) {
    const at = windowMs * (1 - (limit - 1 - current) / previous);
    return Math.max(1, Math.ceil(at - elapsed));
  }
  const at = current > 0 ? windowMs * Math.max(0, 1 - (limit - 1) / current) : 0;
  return Math.max(1, Math.ceil(windowMs + at - elapsed));
}
