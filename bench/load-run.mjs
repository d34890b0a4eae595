// One bounded autocannon run against one server, with the server's CPU time around it.
import { createRequire } from 'node:module';
import { HOST, cpuSeconds } from './bench-common.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

const BASE = '/api/collections/items/records';

/** autocannon's request template for a workload; `random` draws ids, categories and bodies. */
export function requestFor(workload, ids, random, serverName, options) {
  if (workload === 'get') {
    return { method: 'GET', path: BASE, setupRequest: (req) => ({ ...req, path: `${BASE}/${ids[Math.floor(random() * ids.length)]}` }) };
  }
  if (workload === 'cached') {
    const path = serverName === 'reference' ? '/api/prebuilt/items/records' : BASE;
    const hot = Math.min(options.hotIds, ids.length);
    return { method: 'GET', path, setupRequest: (req) => ({ ...req, path: `${path}/${ids[Math.floor(random() * hot)]}` }) };
  }
  if (workload === 'list') {
    const query = () => `filter=${encodeURIComponent(`category = 'c${Math.floor(random() * options.categories)}'`)}&perPage=${options.perPage}`;
    return { method: 'GET', path: BASE, setupRequest: (req) => ({ ...req, path: `${BASE}?${query()}` }) };
  }
  return createRequest(random, options);
}

function createRequest(random, options) {
  let n = 0;
  const body = () => JSON.stringify({ title: `bench ${++n}`, category: `c${Math.floor(random() * options.categories)}`, price: Math.round(random() * 100_000) / 100, active: random() < 0.5 });
  return { method: 'POST', path: BASE, headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: body() }) };
}

/** The p-th percentile of sorted values (nearest rank), or null when there are none. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** One bounded autocannon run; latencies are collected per response (2xx only) with µs precision. */
export async function loadRun(server, workload, ids, seconds, random, options) {
  const latencies = new LatencyLog();
  const cpuBefore = cpuSeconds(server.pid);
  const clientBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const instance = autocannon({
    url: `http://${HOST}:${server.port}`,
    connections: options.connections,
    pipelining: options.pipelining,
    duration: seconds,
    timeout: 10,
    requests: [requestFor(workload, ids, random, server.name, options)],
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.add(responseTime);
  });
  const result = await instance;
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = cpuSeconds(server.pid);
  const client = process.cpuUsage(clientBefore);
  const serverCpu = cpuBefore === undefined || cpuAfter === undefined ? null : cpuAfter - cpuBefore;
  return toRunResult({ server, workload, elapsed, result, latencies: latencies.sorted(), serverCpu, clientCpuSeconds: (client.user + client.system) / 1e6 });
}

/** Response times in a growable Float64Array. */
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

function toRunResult({ server, workload, elapsed, result, latencies, serverCpu, clientCpuSeconds }) {
  const ok = result['2xx'];
  return {
    server: server.name,
    workload,
    seconds: elapsed,
    rps: result.requests.average,
    okPerSecond: ok / result.duration,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.length ? latencies[latencies.length - 1] : null,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: result.statusCodeStats,
    serverCpuSeconds: serverCpu,
    serverCpuMicrosPerRequest: serverCpu === null || ok === 0 ? null : (serverCpu * 1e6) / (ok + result.non2xx),
    clientCpuPercent: (clientCpuSeconds / elapsed) * 100,
    autocannon: { requests: result.requests, latency: result.latency, throughput: result.throughput, duration: result.duration, start: result.start, finish: result.finish },
  };
}

/** The median of the finite numbers in `values`, or null. */
export function median(values) {
  const list = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (list.length === 0) return null;
  const mid = list.length >> 1;
  return list.length % 2 ? list[mid] : (list[mid - 1] + list[mid]) / 2;
}

/** Median figures of a server's rounds, and the totals of its responses. */
export function summarize(runs) {
  return {
    rps: median(runs.map((r) => r.rps)),
    rpsMin: Math.min(...runs.map((r) => r.rps)),
    rpsMax: Math.max(...runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuMicrosPerRequest: median(runs.map((r) => r.serverCpuMicrosPerRequest)),
    clientCpuPercent: median(runs.map((r) => r.clientCpuPercent)),
    ok: runs.reduce((s, r) => s + r.ok, 0),
    non2xx: runs.reduce((s, r) => s + r.non2xx, 0),
    errors: runs.reduce((s, r) => s + r.errors + r.timeouts, 0),
  };
}
