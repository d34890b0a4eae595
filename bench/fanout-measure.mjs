// One fan-out measurement against a running server, shared by bench/fanout.mjs (WebSocket,
// Tandem and the reference) and bench/grpc-fanout.mjs (WebSocket and gRPC Watch): N
// subscribers from client processes, their idle memory on the server, then creates at a
// fixed rate and every delivery's write-to-receive latency. See docs/performance.md.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuSeconds } from './bench-common.mjs';
import { fmt } from './bench-format.mjs';
import { percentile } from './bench-stats.mjs';
import { ClientProcess, allStats, collectLatencies, mergeCounts, sum, waitFor } from './fanout-client-process.mjs';
import { collectGarbage } from './fanout-gc.mjs';
import { countRows, rssKiB, sampleRss } from './fanout-tandem.mjs';
import { createRecord, writeAtRate } from './fanout-writer.mjs';

/**
 * Measures `server` (with `.pid`, `.port`) for `options`: n, rate, idle, warmup, duration,
 * grace (s), clients, concurrency, dir (the data dir whose `items` rows are counted),
 * category (marks this run's rows; unique per data dir), tmpDir, and target (the
 * `connect` command's transport fields). `clients` collects the client processes, which
 * the caller stops. Returns the figures.
 */
export async function measureSubscribers(server, clients, options) {
  const result = {};
  for (let i = 0; i < 10; i++) await createRecord(server.port, 'warmup', `warm ${i}`);
  await sleep(options.idle * 500);
  result.collectedBefore = await collectGarbage(server);
  result.rssBeforeKiB = await sampleRss(server.pid);
  Object.assign(result, await connectSubscribers(clients, options));
  // Memory per idle subscriber: what is alive once they are connected and idle.
  await sleep(options.idle * 1000);
  result.collectedIdle = await collectGarbage(server);
  result.rssIdleKiB = await sampleRss(server.pid);
  result.idleKBPerSubscriber =
    result.rssBeforeKiB && result.rssIdleKiB && result.subscribed
      ? ((result.rssIdleKiB - result.rssBeforeKiB) * 1.024) / result.subscribed
      : null;
  await warmUpWrites(server, clients, options);
  Object.assign(result, await measuredWrites(server, clients, options));
  report(result);
  return result;
}

/** Opens and subscribes N subscribers, spread over the client processes (one per 500, at most `options.clients`). */
async function connectSubscribers(clients, { n, clients: most, concurrency, target }) {
  const processes = Math.min(most, Math.ceil(n / 500));
  const shares = Array.from({ length: processes }, (_, i) => Math.floor(n / processes) + (i < n % processes ? 1 : 0));
  for (let i = 0; i < processes; i++) clients.push(new ClientProcess(i, shares[i]));
  await Promise.all(clients.map((c) => c.wait('ready', 15_000)));
  const timeoutMs = 30_000 + n * 10;
  const started = performance.now();
  const connected = Promise.all(clients.map((c) => c.wait('connected', timeoutMs + 5000)));
  clients.forEach((c, i) => c.child.send({ cmd: 'connect', ...target, count: shares[i], concurrency, timeoutMs }));
  const progress = setInterval(() => showProgress(clients, n), 1000);
  const reports = await connected.finally(() => clearInterval(progress));
  const result = {
    connectSeconds: (performance.now() - started) / 1000,
    subscribed: sum(reports, (r) => r.subscribed),
    connectFailed: sum(reports, (r) => r.failed),
  };
  const tty = process.stdout.isTTY;
  console.log(
    `${tty ? '\r' : ''}    ${result.subscribed}/${n} subscribed in ${result.connectSeconds.toFixed(1)}s${result.connectFailed ? ` (${result.connectFailed} failed)` : ''}${tty ? ' '.repeat(20) : ''}`,
  );
  if (result.subscribed < n) {
    const stats = await allStats(clients);
    result.connectErrors = mergeCounts(stats.map((s) => s.errors));
    result.connectCloses = mergeCounts(stats.map((s) => s.closes));
    console.log(
      `    WARNING: only ${result.subscribed} of ${n} subscribed; errors ${JSON.stringify(result.connectErrors)}, closes ${JSON.stringify(result.connectCloses)}`,
    );
  }
  return result;
}

function showProgress(clients, n) {
  const p = clients.map((c) => c.last.progress).filter(Boolean);
  if (p.length && process.stdout.isTTY)
    process.stdout.write(
      `\r    connecting: ${sum(p, (x) => x.subscribed)}/${n} subscribed, ${sum(p, (x) => x.failed)} failed   `,
    );
}

/** Unmeasured writes (category `warmup`), then a wait until every live subscriber has them. */
async function warmUpWrites(server, clients, { rate, warmup, grace }) {
  if (warmup <= 0) return;
  const warm = await writeAtRate(server.port, 'warmup', Math.max(1, Math.round(rate * warmup)), rate);
  const live = (stats) => sum(stats, (s) => s.subscribedSockets);
  await waitFor(clients, (stats) => sum(stats, (s) => s.warmupReceived) >= warm.ok * live(stats), grace * 1000);
  await sleep(500);
}

/** The measured writes, the wait for their deliveries (bounded by `grace`), and the figures. */
async function measuredWrites(server, clients, { rate, duration, grace, dir, category, tmpDir }) {
  const writes = Math.round(rate * duration);
  const statsBefore = await allStats(clients);
  const cpuBefore = cpuSeconds(server.pid);
  const subscribedAtStart = sum(statsBefore, (s) => s.subscribedSockets);
  const written = await writeAtRate(server.port, category, writes, rate);
  // A create whose answer timed out may still have committed (and been broadcast): the
  // database says how many did.
  const committed = countRows(dir, category);
  const expected = committed * subscribedAtStart;
  const drainStarted = performance.now();
  const stats = await waitFor(clients, (list) => sum(list, (s) => s.received) >= expected, grace * 1000);
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  const cpuAfter = cpuSeconds(server.pid);
  const rssAfterKiB = rssKiB(server.pid);
  const { finished, latencies } = await collectLatencies(clients, tmpDir, category);
  const received = latencies.length;
  const lastReceive = Math.max(...finished.map((s) => s.lastReceive ?? 0));
  const cpuOf = (list) => sum(list, (s) => (s.cpu.user + s.cpu.system) / 1e6);
  const windowSeconds = lastReceive ? (lastReceive - written.firstSend) / 1000 : null;
  const httpSorted = written.httpMs.sort((a, b) => a - b);
  const serverCpuSeconds = cpuBefore === undefined || cpuAfter === undefined ? null : cpuAfter - cpuBefore;
  return {
    drainSeconds,
    rssAfterKiB,
    writes,
    writesOk: written.ok,
    writesFailed: written.failed,
    writesCommitted: committed,
    writeFailures: written.failures,
    writesLate: written.late,
    writeSeconds: written.seconds,
    httpP50: percentile(httpSorted, 50),
    httpP99: percentile(httpSorted, 99),
    subscribedAtStart,
    subscribedAtEnd: sum(stats, (s) => s.subscribedSockets),
    expected,
    received,
    missed: expected - received,
    outOfOrder: sum(finished, (s) => s.outOfOrder),
    closes: mergeCounts(finished.map((s) => s.closes)),
    clientErrors: mergeCounts(finished.map((s) => s.errors)),
    windowSeconds,
    eventsPerSecond: windowSeconds ? received / windowSeconds : null,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: received ? latencies[received - 1] : null,
    min: received ? latencies[0] : null,
    serverCpuSeconds,
    serverCpuMicrosPerDelivery: serverCpuSeconds !== null && received ? (serverCpuSeconds * 1e6) / received : null,
    clientCpuSeconds: cpuOf(finished) - cpuOf(statsBefore),
    clientRssKiB: finished.map((s) => Math.round(s.rssBytes / 1024)),
  };
}

function report(result) {
  console.log(
    `    ${fmt(result.writesCommitted)} writes (${fmt(result.writesOk)} answered 200) in ${result.writeSeconds.toFixed(1)}s → ${fmt(result.received)}/${fmt(result.expected)} deliveries (missed ${fmt(result.missed)}) in ${result.windowSeconds?.toFixed(1) ?? '-'}s: ` +
      `${fmt(result.eventsPerSecond)} events/s, p50 ${fmt(result.p50, 1)} ms, p99 ${fmt(result.p99, 1)} ms, max ${fmt(result.max, 1)} ms; ` +
      `idle ${fmt(result.idleKBPerSubscriber, 1)} KB/subscriber (RSS ${fmt(result.rssBeforeKiB / 1024, 1)} → ${fmt(result.rssIdleKiB / 1024, 1)} MiB${result.collectedBefore && result.collectedIdle ? ', each after a full GC' : ', NOT after a full GC: the inspector did not answer'}); server CPU ${fmt(result.serverCpuMicrosPerDelivery, 1)} µs/delivery`,
  );
  if (result.writesFailed || result.outOfOrder || Object.keys(result.clientErrors).length) {
    console.log(
      `    !! write failures ${JSON.stringify(result.writeFailures)}, out of order ${result.outOfOrder}, client errors ${JSON.stringify(result.clientErrors)}, closes ${JSON.stringify(result.closes)}`,
    );
  }
  if (result.writesLate)
    console.log(
      `    note: ${result.writesLate} writes went out more than one interval late (the writer was starved of CPU)`,
    );
}
