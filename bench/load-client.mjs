// The load generator of `npm run bench`, a child process of bench/run.mjs (IPC).
//
// It runs in a process of its own so that nothing else shares its event loop and heap:
// the harness's bookkeeping, its console output and the seeded rows it holds would
// otherwise add pauses (and garbage collections over a large heap) to the very loop
// that sends the requests, and those pauses land in one round and not the next. It is
// started once with --expose-gc and collects garbage before every run, so each run
// starts from the same small heap.
//
// Usage (by the harness only): fork('bench/load-client.mjs', [idsFile]); then for each
// message { type: 'run', job } it answers { type: 'result', result } or
// { type: 'error', message }. `job`: { port, serverName, workload, seconds, seed,
// connections, pipelining, hotIds, categories, perPage }.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { HOST } from './bench-common.mjs';
import { mulberry32 } from './bench-data.mjs';
import { percentile } from './bench-stats.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

const ids = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const BASE = '/api/collections/items/records';

/** autocannon's request template for a workload; `random` draws ids, categories and bodies. */
function requestFor(job, random) {
  const pick = (count) => ids[Math.floor(random() * count)];
  if (job.workload === 'cached') {
    // The reference's side of a cached read is its prebuilt-JSON route.
    const path = job.serverName === 'reference' ? '/api/prebuilt/items/records' : BASE;
    const hot = Math.min(job.hotIds, ids.length);
    return { method: 'GET', path, setupRequest: (req) => ({ ...req, path: `${path}/${pick(hot)}` }) };
  }
  if (job.workload === 'list') {
    const query = () =>
      `filter=${encodeURIComponent(`category = 'c${Math.floor(random() * job.categories)}'`)}&perPage=${job.perPage}`;
    return { method: 'GET', path: BASE, setupRequest: (req) => ({ ...req, path: `${BASE}?${query()}` }) };
  }
  if (job.workload.endsWith('create')) return createRequest(job, random);
  return { method: 'GET', path: BASE, setupRequest: (req) => ({ ...req, path: `${BASE}/${pick(ids.length)}` }) };
}

function createRequest(job, random) {
  let n = 0;
  const body = () =>
    JSON.stringify({
      title: `bench ${++n}`,
      category: `c${Math.floor(random() * job.categories)}`,
      price: Math.round(random() * 100_000) / 100,
      active: random() < 0.5,
    });
  return {
    method: 'POST',
    path: BASE,
    headers: { 'content-type': 'application/json' },
    setupRequest: (req) => ({ ...req, body: body() }),
  };
}

/** Response times of 2xx answers in a growable Float64Array (µs precision, unlike autocannon's histogram). */
class LatencyLog {
  #values = new Float64Array(1 << 18);
  #count = 0;
  add(value) {
    if (this.#count === this.#values.length) {
      const bigger = new Float64Array(this.#values.length * 2);
      bigger.set(this.#values);
      this.#values = bigger;
    }
    this.#values[this.#count++] = value;
  }
  sorted() {
    return this.#values.subarray(0, this.#count).sort();
  }
}

/** Milliseconds this process spent in garbage collection while `work` ran. */
async function withGcTime(work) {
  let gcMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  observer.observe({ entryTypes: ['gc'] });
  try {
    const value = await work();
    return { value, gcMs };
  } finally {
    observer.disconnect();
  }
}

/** One bounded autocannon run; req/s is the responses over the measured wall time. */
async function run(job) {
  globalThis.gc?.();
  const latencies = new LatencyLog();
  const cpuBefore = process.cpuUsage();
  const eluBefore = performance.eventLoopUtilization();
  const started = process.hrtime.bigint();
  const { value: result, gcMs } = await withGcTime(() => {
    const instance = autocannon({
      url: `http://${HOST}:${job.port}`,
      connections: job.connections,
      pipelining: job.pipelining,
      duration: job.seconds,
      timeout: 10,
      requests: [requestFor(job, mulberry32(job.seed))],
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.add(responseTime);
    });
    return instance;
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const elu = performance.eventLoopUtilization(eluBefore);
  return toResult(result, latencies.sorted(), {
    elapsed,
    gcMs,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    busy: elu.utilization,
  });
}

function toResult(result, sorted, client) {
  const responses = result['2xx'] + result.non2xx;
  return {
    seconds: client.elapsed,
    // autocannon's own req/s is the mean of per-second samples taken by a timer, which
    // fires late when the loop is busy; responses over the measured time is exact.
    rps: responses / client.elapsed,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: result.statusCodeStats,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : null,
    client: { cpuPercent: (client.cpuSeconds / client.elapsed) * 100, busy: client.busy, gcMs: client.gcMs },
    autocannon: {
      requests: result.requests,
      latency: result.latency,
      throughput: result.throughput,
      duration: result.duration,
      start: result.start,
      finish: result.finish,
    },
  };
}

process.on('message', async (message) => {
  if (message?.type !== 'run') return;
  try {
    process.send({ type: 'result', result: await run(message.job) });
  } catch (error) {
    process.send({ type: 'error', message: error?.stack ?? String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
