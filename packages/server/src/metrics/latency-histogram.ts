import type { Registry } from 'prom-client';

/** What the histogram of one label set holds: counts per bucket (the last past every bound), sum and count. */
export interface HistogramSeries {
  /** Adds one observation. */
  observe(value: number): void;
}

/** The sample of one exposition line, as prom-client's registry formats it. */
interface Sample {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName: string;
  /** A bucket's exemplar: Tandem keeps none (null, as prom-client writes it). */
  readonly exemplar?: null;
}

/**
 * A Prometheus histogram whose series are plain arrays, registered in a prom-client
 * registry and written by it exactly as prom-client's own Histogram would be (same
 * lines, same label order, same values). NB: prom-client's bound children hash and
 * validate their labels on every observation, which cost a request more than a
 * microsecond; here an observation is a bucket search and three additions, and the
 * series are turned into samples only when the registry is scraped.
 *
 * @example
 * const latency = new LatencyHistogram(registry, { name: 'x_seconds', help: '…', labelNames: ['route'], buckets: [0.1, 1] });
 * latency.series(['/api/health']).observe(0.02);
 */
export class LatencyHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #labelNames: readonly string[];
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, Series>();

  constructor(
    registry: Registry,
    options: { name: string; help: string; labelNames: readonly string[]; buckets: readonly number[] },
  ) {
    this.name = options.name;
    this.help = options.help;
    this.#labelNames = options.labelNames;
    this.#bounds = [...options.buckets].sort((a, b) => a - b);
    // NB: the registry takes any object with prom-client's metric shape (name, help,
    // type, aggregator, get, reset); its TypeScript type names only its own classes.
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The series of one label set (`values` in the order of `labelNames`), made on first use. */
  series(values: readonly string[]): HistogramSeries {
    const key = values.join('\u0000');
    let series = this.#series.get(key);
    if (!series) this.#series.set(key, (series = new Series(this.#bounds, labelsOf(this.#labelNames, values))));
    return series;
  }

  /** The samples, as prom-client's Histogram.get() gives them. */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const series of this.#series.values()) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += series.counts[i]!;
        values.push({ labels: { le, ...series.labels }, value: cumulative, metricName: bucket, exemplar: null });
      });
      values.push({
        labels: { le: '+Inf', ...series.labels },
        value: series.count,
        metricName: bucket,
        exemplar: null,
      });
      values.push({ labels: { ...series.labels }, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...series.labels }, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Forgets every series (prom-client's `registry.resetMetrics()`). */
  reset(): void {
    this.#series.clear();
  }
}

class Series implements HistogramSeries {
  /** Observations per bucket, not cumulative; the last slot counts those past every bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly bounds: readonly number[],
    readonly labels: Readonly<Record<string, string>>,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    // Like prom-client, a value that is not a finite number is refused.
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

function labelsOf(names: readonly string[], values: readonly string[]): Record<string, string> {
  if (names.length !== values.length) throw new Error(`expected ${names.length} label values, got ${values.length}`);
  return Object.fromEntries(names.map((name, i) => [name, values[i]!]));
}
