/** Reconnect delays: exponential growth from `baseMs` up to `capMs`. */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

/** The defaults: 250 ms, doubling, at most 10 s. */
export const defaultBackoff: BackoffOptions = Object.freeze({ baseMs: 250, capMs: 10_000 });

/**
 * The delay before reconnect attempt `attempt` (0 for the first) with full jitter:
 * uniform in [0, min(cap, base · 2^attempt)), so clients dropped together do not
 * come back together.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = defaultBackoff,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
