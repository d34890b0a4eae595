import { Counter, Histogram, type Registry } from 'prom-client';
import type { CacheOutcome } from '../http/response-meta.js';

/** Latency buckets in seconds (Prometheus' client defaults, with a finer low end). */
const LATENCY_BUCKETS = Object.freeze([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

/** The series of one method and route pattern, bound to their labels once. */
interface RouteSeries {
  readonly method: string;
  readonly route: string;
  readonly latency: Histogram.Internal<'method' | 'route'>;
  readonly dbTime: Counter.Internal;
  /** Responses by status code. */
  readonly statuses: Map<number, Counter.Internal>;
}

/**
 * What the HTTP edge counts, as prom-client metrics in the app's registry: responses by
 * method, route pattern and status, their latency and store time, and the response
 * cache's outcomes. `observe` is on the hot path: the label set of a method, route and
 * status is bound the first time it is seen, so a request costs one map lookup per label
 * level and prom-client's increments, and no label object of Tandem's.
 */
export class HttpMetrics {
  readonly #requests: Counter<'method' | 'route' | 'status'>;
  readonly #latency: Histogram<'method' | 'route'>;
  readonly #dbTime: Counter<'method' | 'route'>;
  readonly #cache: Readonly<Record<CacheOutcome, Counter.Internal>>;
  readonly #routes = new Map<string, Map<string, RouteSeries>>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.#requests = new Counter({
      name: 'tandem_http_requests_total',
      help: 'HTTP responses by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.#latency = new Histogram({
      name: 'tandem_http_request_duration_seconds',
      help: 'Time from request arrival to the response, by method and route pattern.',
      labelNames: ['method', 'route'],
      buckets: [...LATENCY_BUCKETS],
      registers,
    });
    this.#dbTime = new Counter({
      name: 'tandem_http_db_seconds_total',
      help: 'Time requests spent in the store, by method and route pattern.',
      labelNames: ['method', 'route'],
      registers,
    });
    const cache = new Counter({
      name: 'tandem_response_cache_requests_total',
      help: 'Record reads (GET/HEAD list and view) by response cache outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.#cache = { hit: cache.labels('hit'), miss: cache.labels('miss'), bypass: cache.labels('bypass') };
    // Every outcome is reported from the first scrape on, at 0 until it happens.
    for (const outcome of Object.values(this.#cache)) outcome.inc(0);
  }

  /** Records one response: its status, latency and store time. */
  observe(method: string, route: string, status: number, seconds: number, dbSeconds: number): void {
    const series = this.#series(method, route);
    (series.statuses.get(status) ?? this.#status(series, status)).inc();
    series.latency.observe(seconds);
    if (dbSeconds > 0) series.dbTime.inc(dbSeconds);
  }

  /** Records how the response cache answered a record read. */
  countCache(outcome: CacheOutcome): void {
    this.#cache[outcome].inc();
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
    return { method, route, latency: this.#latency.labels(method, route), dbTime, statuses: new Map() };
  }

  #status(series: RouteSeries, status: number): Counter.Internal {
    const counter = this.#requests.labels(series.method, series.route, String(status));
    series.statuses.set(status, counter);
    return counter;
  }
}
