/**
 * The latency histogram is written by prom-client's registry exactly as prom-client's own
 * Histogram would be, for the same observations.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, Registry } from 'prom-client';
import { LatencyHistogram } from './latency-histogram.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.01, 0.1, 1, 10];
const OPTIONS = { name: 'test_duration_seconds', help: 'A test histogram.', labelNames: ['method', 'route'] };

/** Bounds themselves, values between and past them, zero and a negative value. */
const OBSERVED: Array<[string, string, number]> = [
  ['GET', '/api/health', 0.0005],
  ['GET', '/api/health', 0.00051],
  ['GET', '/api/health', 0],
  ['GET', '/api/collections/:collection/records/:id', 0.003],
  ['GET', '/api/collections/:collection/records/:id', 10],
  ['GET', '/api/collections/:collection/records/:id', 11.5],
  ['POST', '/api/collections/:collection/records', -0.25],
  ['POST', '/api/collections/:collection/records', 0.1],
  ['GET', '/a "quoted" \\ route\nwith a break', 0.5],
];

describe('LatencyHistogram', () => {
  it("is exposed as prom-client's Histogram exposes the same observations, in text and JSON", async () => {
    const mine = new Registry();
    const theirs = new Registry();
    const latency = new LatencyHistogram(mine, { ...OPTIONS, buckets: BUCKETS });
    const reference = new Histogram({ ...OPTIONS, buckets: BUCKETS, registers: [theirs] });
    for (const [method, route, value] of OBSERVED) {
      latency.series([method, route]).observe(value);
      reference.labels(method, route).observe(value);
    }
    assert.equal(await mine.metrics(), await theirs.metrics());
    // As a scraper or the admin UI receives them: JSON text, where an undefined field is absent.
    const json = async (registry: Registry) => JSON.parse(JSON.stringify(await registry.getMetricsAsJSON()));
    assert.deepEqual(await json(mine), await json(theirs));
  });

  it('sorts its buckets, refuses a value that is not a finite number, and forgets its series on reset', async () => {
    const registry = new Registry();
    const latency = new LatencyHistogram(registry, { ...OPTIONS, buckets: [1, 0.1] });
    const series = latency.series(['GET', '/x']);
    series.observe(0.5);
    assert.throws(() => series.observe(Number.NaN), TypeError);
    assert.throws(() => series.observe(Number.POSITIVE_INFINITY), TypeError);
    const text = await registry.metrics();
    assert.match(text, /test_duration_seconds_bucket\{le="0.1",method="GET",route="\/x"\} 0\n/);
    assert.match(text, /test_duration_seconds_bucket\{le="1",method="GET",route="\/x"\} 1\n/);
    assert.match(text, /test_duration_seconds_count\{method="GET",route="\/x"\} 1\n/);
    registry.resetMetrics();
    assert.doesNotMatch(await registry.metrics(), /_count/);
  });
});
