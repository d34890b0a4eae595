import { LATENCY_BUCKETS } from './prometheus-text.js';

/** What the HTTP edge counts for one route (method + pattern). */
export interface RouteStats {
  readonly method: string;
  readonly route: string;
  /** Responses by status code. */
  readonly statuses: Map<number, number>;
  /** Cumulative counts are computed at scrape time: here, one slot per bucket plus +Inf. */
  readonly buckets: Float64Array;
  count: number;
  latencySum: number;
  dbSeconds: number;
}

/**
 * The per-route HTTP counters. `observe` is on the hot path: one map lookup, a
 * status increment and a bucket search over 14 bounds; no strings are built for a
 * route already seen.
 */
export class HttpMetrics {
  readonly routes = new Map<string, Map<string, RouteStats>>();
  readonly cache = { hit: 0, miss: 0, bypass: 0 };

  /** Records one response: its status, latency and store time. */
  observe(method: string, route: string, status: number, seconds: number, dbSeconds: number): void {
    const stats = this.#stats(method, route);
    stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
    let slot = 0;
    while (slot < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[slot]!) slot++;
    stats.buckets[slot]! += 1;
    stats.count++;
    stats.latencySum += seconds;
    stats.dbSeconds += dbSeconds;
  }

  #stats(method: string, route: string): RouteStats {
    let byMethod = this.routes.get(route);
    if (!byMethod) this.routes.set(route, (byMethod = new Map()));
    let stats = byMethod.get(method);
    if (!stats) byMethod.set(method, (stats = { method, route, statuses: new Map(), buckets: new Float64Array(LATENCY_BUCKETS.length + 1), count: 0, latencySum: 0, dbSeconds: 0 }));
    return stats;
  }
}
