/** The verdict on one attempt. */
export interface RateLimitResult {
  /** True when the attempt is within the limit (and was counted). */
  readonly allowed: boolean;
  /** How many more attempts the key may make right now. */
  readonly remaining: number;
  /** When refused: how long until the next attempt would be allowed (the Retry-After). 0 when allowed. */
  readonly retryAfterMs: number;
}

/**
 * Counts attempts per key (e.g. `auth-with-password:<ip>` or `:<email>`) and refuses
 * them beyond `limit` per `windowMs`. Refused attempts are not counted. An in-process
 * limiter answers at once; a shared one (Redis, for a cluster) answers with a promise.
 * @example
 * const verdict = await limiter.hit(`otp:${email}`, 5, 60_000)
 * if (!verdict.allowed) throw new AppError('TOO_MANY_REQUESTS')
 */
export interface RateLimiter {
  hit(key: string, limit: number, windowMs: number, now?: number): RateLimitResult | Promise<RateLimitResult>;
}
