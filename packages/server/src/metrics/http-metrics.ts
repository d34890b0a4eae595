import { Counter, type Registry } from 'prom-client';
import type { CacheOutcome } from '../http/response-meta.js';
import { type HistogramSeries, LatencyHistogram } from './latency-histogram.js';

/** Latency buckets in seconds (Prometheus' client defaults, with a finer low end). */
const LATENCY_BUCKETS = Object.freeze([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

/**
 * A counter's child whose increments wait in a plain number until a scrape: prom-client
 * hashes and validates the labels on every increment, even of a bound child.
 */
class PendingCount {
  #pending = 0;

  constructor(readonly child: Counter.Internal) {}

  add(value: number): void {
    this.#pending += value;
  }

  /** Hands what waits to prom-client (from the counter's `collect`, before each scrape). */
  flush(): void {
    if (this.#pending === 0) return;
    this.child.inc(this.#pending);
    this.#pending = 0;
  }
}

/** The series of one method and route pattern, bound to their labels once. */
interface RouteSeries {
  readonly method: string;
  readonly route: string;
  readonly latency: HistogramSeries;
  readonly dbTime: PendingCount;
  /** Responses by status code. */
  readonly statuses: Map<number, PendingCount>;
}

/**
 * What the HTTP edge counts, as prom-client metrics in the app's registry: responses by
 * method, route pattern and status, their latency and store time, and the response
 * cache's outcomes. `observe` is on the hot path: the label set of a method, route and
 * status is bound the first time it is seen, so a request costs one map lookup per label
 * level and a few additions to plain numbers: the counts reach prom-client's counters
 * when a scrape collects them, and the latency histogram is a LatencyHistogram.
 */
export class HttpMetrics {
  readonly #requests: Counter<'method' | 'route' | 'status'>;
  readonly #latency: LatencyHistogram;
  readonly #dbTime: Counter<'method' | 'route'>;
  readonly #cache: Readonly<Record<CacheOutcome, PendingCount>>;
  readonly #routes = new Map<string, Map<string, RouteSeries>>();
  /** Every count waiting for a scrape. */
  readonly #pending: PendingCount[] = [];

  constructor(registry: Registry) {
    const registers = [registry];
    const pending = this.#pending;
    // Each counter takes the counts waiting for it (all of them: the first to collect flushes all).
    const collect = () => {
      for (const count of pending) count.flush();
    };
    this.#requests = new Counter({
      name: 'tandem_http_requests_total',
      help: 'HTTP responses by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
      collect,
    });
    this.#latency = new LatencyHistogram(registry, {
      name: 'tandem_http_request_duration_seconds',
      help: 'Time from request arrival to the response, by method and route pattern.',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
    });
    this.#dbTime = new Counter({
      name: 'tandem_http_db_seconds_total',
      help: 'Time requests spent in the store, by method and route pattern.',
      labelNames: ['method', 'route'],
      registers,
      collect,
    });
    const cache = new Counter({
      name: 'tandem_response_cache_requests_total',
      help: 'Record reads (GET/HEAD list and view) by response cache outcome.',
      labelNames: ['outcome'],
      registers,
      collect,
    });
    const outcome = (name: CacheOutcome) => {
      const child = cache.labels(name);
      // Every outcome is reported from the first scrape on, at 0 until it happens.
      child.inc(0);
      return this.#waiting(child);
    };
    this.#cache = { hit: outcome('hit'), miss: outcome('miss'), bypass: outcome('bypass') };
  }

  /** Records one response: its status, latency and store time. */
  observe(method: string, route: string, status: number, seconds: number, dbSeconds: number): void {
    const series = this.#series(method, route);
    (series.statuses.get(status) ?? this.#status(series, status)).add(1);
    series.latency.observe(seconds);
    if (dbSeconds > 0) series.dbTime.add(dbSeconds);
  }

  /** Records how the response cache answered a record read. */
  countCache(outcome: CacheOutcome): void {
    this.#cache[outcome].add(1);
  }

  #series(method: string, route: string): RouteSeries {
    let byMethod = this.#routes.get(route);
    if (!byMethod) this.#routes.set(route, (byMethod = new Map()));
    let series = byMethod.get(method);
    if (!series) byMethod.set(method, (series = this.#bind(method, route)));
    return series;
  }

  #bind(method: string, route: string): RouteSeries {
    const dbTime = this.#dbTime.labels(method, route);
    // Every route seen shows its store time, 0 for routes that never reach the store.
    dbTime.inc(0);
    const latency = this.#latency.series([method, route]);
    return { method, route, latency, dbTime: this.#waiting(dbTime), statuses: new Map() };
  }

  #status(series: RouteSeries, status: number): PendingCount {
    const counter = this.#waiting(this.#requests.labels(series.method, series.route, String(status)));
    series.statuses.set(status, counter);
    return counter;
  }

  #waiting(child: Counter.Internal): PendingCount {
    const count = new PendingCount(child);
    this.#pending.push(count);
    return count;
  }
}
